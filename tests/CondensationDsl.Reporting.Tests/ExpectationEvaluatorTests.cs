using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Tests;

public class ExpectationEvaluatorTests
{
    // Clusters measured at 0, 1000 and 100000; loss every row; step 5000 recorded without a cluster count.
    private static readonly MetricsTable Table = MetricsTable.Parse(
        "step,epoch,loss,clusters.hidden\n" +
        "0,0,1.5,1\n" +
        "1000,1000,0.25,3\n" +
        "5000,5000,0.01,\n" +
        "100000,100000,0.001,5\n" +
        "100001,100001,0.0009,\n");

    private static Expectation Expect(string metric, long? at, ComparisonOperator op, double value) =>
        new(metric, at, op, value, "expect ...", 1);

    [Theory]
    [InlineData(ComparisonOperator.Less, 4, true)]
    [InlineData(ComparisonOperator.Less, 3, false)]
    [InlineData(ComparisonOperator.LessOrEqual, 3, true)]
    [InlineData(ComparisonOperator.LessOrEqual, 2, false)]
    [InlineData(ComparisonOperator.Greater, 2, true)]
    [InlineData(ComparisonOperator.Greater, 3, false)]
    [InlineData(ComparisonOperator.GreaterOrEqual, 3, true)]
    [InlineData(ComparisonOperator.GreaterOrEqual, 4, false)]
    [InlineData(ComparisonOperator.Equal, 3, true)]
    [InlineData(ComparisonOperator.Equal, 4, false)]
    [InlineData(ComparisonOperator.NotEqual, 4, true)]
    [InlineData(ComparisonOperator.NotEqual, 3, false)]
    public void EachOperator(ComparisonOperator op, double value, bool passed)
    {
        var result = ExpectationEvaluator.Evaluate(Expect("clusters.hidden", 1000, op, value), Table);
        Assert.Equal(passed, result.Passed);
        Assert.Equal(3, result.Actual);
    }

    [Fact]
    public void MessageReadsLikeTheClause()
    {
        var result = ExpectationEvaluator.Evaluate([Expect("clusters.hidden", 1000, ComparisonOperator.LessOrEqual, 4)], Table).Single();
        Assert.Equal("clusters.hidden at 1000 = 3 (expected <= 4)", result.Message);
    }

    [Fact]
    public void EndIsTheLastRowWithAValue()
    {
        var clusters = ExpectationEvaluator.Evaluate(Expect("clusters.hidden", null, ComparisonOperator.Greater, 4), Table);
        Assert.True(clusters.Passed);
        Assert.Equal(5, clusters.Actual);
        Assert.Equal("clusters.hidden at end (step 100000) = 5 (expected > 4)", clusters.Message);

        var loss = ExpectationEvaluator.Evaluate(Expect("loss", null, ComparisonOperator.Less, 0.001), Table);
        Assert.True(loss.Passed);
        Assert.Equal(0.0009, loss.Actual);
    }

    [Fact]
    public void MissingStepFails()
    {
        var result = ExpectationEvaluator.Evaluate(Expect("clusters.hidden", 2000, ComparisonOperator.LessOrEqual, 4), Table);
        Assert.False(result.Passed);
        Assert.Null(result.Actual);
        Assert.Equal(
            "clusters.hidden at 2000: no row for step 2000 in metrics.csv (recorded steps: 0, 1000, 5000, 100000, 100001; expected <= 4)",
            result.Message);
    }

    [Fact]
    public void StepWithoutValueFails()
    {
        var result = ExpectationEvaluator.Evaluate(Expect("clusters.hidden", 5000, ComparisonOperator.LessOrEqual, 4), Table);
        Assert.False(result.Passed);
        Assert.Null(result.Actual);
        Assert.Equal("clusters.hidden at 5000: not measured at step 5000 (expected <= 4)", result.Message);
    }

    [Fact]
    public void MissingColumnFails()
    {
        var result = ExpectationEvaluator.Evaluate(Expect("reldis.hidden", null, ComparisonOperator.Greater, 0), Table);
        Assert.False(result.Passed);
        Assert.Equal("reldis.hidden at end: metrics.csv has no column 'reldis.hidden' (expected > 0)", result.Message);
    }

    [Fact]
    public void NeverMeasuredFails()
    {
        var table = MetricsTable.Parse("step,epoch,loss,clusters.hidden\n0,0,1,\n");
        var result = ExpectationEvaluator.Evaluate(Expect("clusters.hidden", null, ComparisonOperator.Greater, 0), table);
        Assert.False(result.Passed);
        Assert.Equal("clusters.hidden at end: never measured (expected > 0)", result.Message);
    }

    [Fact]
    public void ResultsKeepTheOrderAndTheExpectation()
    {
        var a = Expect("loss", 0, ComparisonOperator.Equal, 1.5);
        var b = Expect("loss", 1000, ComparisonOperator.Greater, 1);
        var results = ExpectationEvaluator.Evaluate([a, b], Table);
        Assert.Same(a, results[0].Expectation);
        Assert.Same(b, results[1].Expectation);
        Assert.Equal([true, false], results.Select(r => r.Passed));
    }
}
