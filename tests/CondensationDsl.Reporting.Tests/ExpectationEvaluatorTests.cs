using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Reduction;

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

    // A reduction of hidden from 50 to 4 neurons, fine-tuned for 500 steps.
    internal static readonly ReductionResult Reduced = new(
        "hidden", "out", 0.9, 1e-3, 0.01, WidthBefore: 50, WidthAfter: 4, StaticDropped: 2, NegligibleDropped: 3, Points: 40, OutputScale: 0.8,
        LossBefore: 2e-4, LossReduced: 5e-3, AgreementReduced: 0.925, Groups: new int[50], FineTuneSteps: 500, LossFinetuned: 1e-4, AgreementFinetuned: 1);

    [Theory]
    [InlineData("reduction.width_before", 50)]
    [InlineData("reduction.width_after", 4)]
    [InlineData("reduction.loss_before", 2e-4)]
    [InlineData("reduction.loss_reduced", 5e-3)]
    [InlineData("reduction.agreement_reduced", 0.925)]
    [InlineData("reduction.loss_finetuned", 1e-4)]
    [InlineData("reduction.agreement_finetuned", 1)]
    public void ReductionMetricsAreReadFromTheReductionResult(string metric, double expected)
    {
        var passing = ExpectationEvaluator.Evaluate(Expect(metric, null, ComparisonOperator.Equal, expected), Table, Reduced);
        Assert.True(passing.Passed, passing.Message);
        Assert.Equal(expected, passing.Actual);
        var failing = ExpectationEvaluator.Evaluate(Expect(metric, null, ComparisonOperator.Less, expected), Table, Reduced);
        Assert.False(failing.Passed);
        Assert.Equal(expected, failing.Actual);
    }

    [Fact]
    public void AReductionMessageNamesTheLayer()
    {
        var result = ExpectationEvaluator.Evaluate([Expect("reduction.width_after", null, ComparisonOperator.LessOrEqual, 5)], Table, Reduced).Single();
        Assert.Equal("reduction.width_after at end = 4 (layer hidden; expected <= 5)", result.Message);
    }

    [Fact]
    public void AReductionMetricFailsClearlyWhenTheRunHasNoReduction()
    {
        var result = ExpectationEvaluator.Evaluate(Expect("reduction.width_after", null, ComparisonOperator.LessOrEqual, 5), Table, null);
        Assert.False(result.Passed);
        Assert.Null(result.Actual);
        Assert.StartsWith("reduction.width_after at end: the run has no width reduction result (no reduction.json", result.Message);

        // The overload without a reduction result reads metrics.csv only, so it cannot pass a reduction metric either.
        Assert.False(ExpectationEvaluator.Evaluate(Expect("reduction.width_after", null, ComparisonOperator.LessOrEqual, 5), Table).Passed);
    }

    [Fact]
    public void FineTuningMetricsFailWhenTheRunDidNotFineTune()
    {
        var notTuned = Reduced with { FineTuneSteps = null, LossFinetuned = null, AgreementFinetuned = null };
        var result = ExpectationEvaluator.Evaluate(Expect("reduction.loss_finetuned", null, ComparisonOperator.Less, 1), Table, notTuned);
        Assert.False(result.Passed);
        Assert.Contains("was not fine-tuned", result.Message);
        Assert.True(ExpectationEvaluator.Evaluate(Expect("reduction.loss_reduced", null, ComparisonOperator.Less, 1), Table, notTuned).Passed);
    }

    [Fact]
    public void AReductionMetricAtAStepFails()
    {
        var result = ExpectationEvaluator.Evaluate(Expect("reduction.width_after", 1000, ComparisonOperator.LessOrEqual, 5), Table, Reduced);
        Assert.False(result.Passed);
        Assert.Contains("only `at end`", result.Message);
    }

    [Fact]
    public void AnUnknownReductionMetricFailsNamingTheKnownOnes()
    {
        var result = ExpectationEvaluator.Evaluate(Expect("reduction.width", null, ComparisonOperator.LessOrEqual, 5), Table, Reduced);
        Assert.False(result.Passed);
        Assert.Contains("reduction.width_after", result.Message);
    }
}
