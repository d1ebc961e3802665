using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Embedding;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Tests;

/// <summary>`expect embedding.<field> at end …`, read from the run's embedding.json.</summary>
public class EmbeddingExpectationTests
{
    // Neuron 3 (0-based 2) of hidden's 20 split with s = 0.3; 61 parameters before, 64 after.
    internal static readonly EmbeddingResult Embedded = new(
        "hidden", Neuron: 2, Split: 0.3, WidthBefore: 20, WidthAfter: 21, LossBefore: 2e-4, LossAfter: 2.0001e-4, FunctionGap: 3e-16,
        GradientNormBefore: 1e-7, GradientNormAfter: 1.2e-7, HessianBefore: new HessianCounts(40, 20, 1), HessianAfter: new HessianCounts(40, 23, 1),
        ZeroTolerance: 1e-6, HessianSkipped: null);

    private static readonly MetricsTable Table = MetricsTable.Parse("step,epoch,loss\n0,0,1.5\n100,100,0.001\n");

    private static Expectation Expect(string metric, long? at, ComparisonOperator op, double value) =>
        new(metric, at, op, value, "expect ...", 1);

    [Theory]
    [InlineData("embedding.function_gap", 3e-16)]
    [InlineData("embedding.loss_before", 2e-4)]
    [InlineData("embedding.loss_after", 2.0001e-4)]
    [InlineData("embedding.gradient_before", 1e-7)]
    [InlineData("embedding.gradient_after", 1.2e-7)]
    [InlineData("embedding.hessian_positive_before", 40)]
    [InlineData("embedding.hessian_zero_before", 20)]
    [InlineData("embedding.hessian_negative_before", 1)]
    [InlineData("embedding.hessian_positive_after", 40)]
    [InlineData("embedding.hessian_zero_after", 23)]
    [InlineData("embedding.hessian_negative_after", 1)]
    public void EmbeddingMetricsAreReadFromTheEmbeddingResult(string metric, double expected)
    {
        var passing = ExpectationEvaluator.Evaluate(Expect(metric, null, ComparisonOperator.Equal, expected), Table, null, Embedded);
        Assert.True(passing.Passed, passing.Message);
        Assert.Equal(expected, passing.Actual);
        var failing = ExpectationEvaluator.Evaluate(Expect(metric, null, ComparisonOperator.Less, expected), Table, null, Embedded);
        Assert.False(failing.Passed);
        Assert.Equal(expected, failing.Actual);
    }

    [Fact]
    public void TheFieldListIsEveryMetricInOrder()
    {
        Assert.Equal("embedding.", ExpectationEvaluator.EmbeddingPrefix);
        Assert.Equal(
            ["function_gap", "loss_before", "loss_after", "gradient_before", "gradient_after", "hessian_positive_before", "hessian_zero_before",
             "hessian_negative_before", "hessian_positive_after", "hessian_zero_after", "hessian_negative_after"],
            ExpectationEvaluator.EmbeddingFields);
        foreach (var field in ExpectationEvaluator.EmbeddingFields)
        {
            Assert.NotNull(ExpectationEvaluator.Evaluate(Expect(ExpectationEvaluator.EmbeddingPrefix + field, null, ComparisonOperator.GreaterOrEqual, 0), Table, null, Embedded).Actual);
        }
    }

    [Fact]
    public void AnEmbeddingMessageNamesTheLayerAndTheOneBasedNeuron()
    {
        var result = ExpectationEvaluator.Evaluate([Expect("embedding.function_gap", null, ComparisonOperator.Less, 1e-10)], Table, null, Embedded).Single();
        Assert.True(result.Passed);
        Assert.Equal("embedding.function_gap at end = 3E-16 (layer hidden, neuron 3; expected < 1E-10)", result.Message);
    }

    [Fact]
    public void AnEmbeddingMetricFailsClearlyWhenTheRunHasNoEmbedding()
    {
        var result = ExpectationEvaluator.Evaluate(Expect("embedding.function_gap", null, ComparisonOperator.Less, 1), Table, null, null);
        Assert.False(result.Passed);
        Assert.Null(result.Actual);
        Assert.StartsWith("embedding.function_gap at end: the run has no embedding result (no embedding.json", result.Message);

        // The overloads without an embedding result cannot pass an embedding metric either.
        Assert.False(ExpectationEvaluator.Evaluate(Expect("embedding.function_gap", null, ComparisonOperator.Less, 1), Table).Passed);
        Assert.False(ExpectationEvaluator.Evaluate([Expect("embedding.function_gap", null, ComparisonOperator.Less, 1)], Table, null).Single().Passed);
    }

    [Fact]
    public void HessianMetricsFailNamingTheReasonWhenTheHessianWasSkipped()
    {
        var skipped = Embedded with { HessianBefore = null, HessianAfter = null, HessianSkipped = "5000 parameters (over 2000)" };
        var result = ExpectationEvaluator.Evaluate(Expect("embedding.hessian_negative_after", null, ComparisonOperator.GreaterOrEqual, 0), Table, null, skipped);
        Assert.False(result.Passed);
        Assert.Null(result.Actual);
        Assert.Equal("embedding.hessian_negative_after at end: the Hessian eigenvalues were not computed: 5000 parameters (over 2000) (expected >= 0)", result.Message);
        Assert.True(ExpectationEvaluator.Evaluate(Expect("embedding.gradient_after", null, ComparisonOperator.Less, 1), Table, null, skipped).Passed);
    }

    [Fact]
    public void AnEmbeddingMetricAtAStepFailsAndAnUnknownOneNamesTheKnownOnes()
    {
        var atStep = ExpectationEvaluator.Evaluate(Expect("embedding.function_gap", 100, ComparisonOperator.Less, 1), Table, null, Embedded);
        Assert.False(atStep.Passed);
        Assert.Contains("only `at end`", atStep.Message);

        var unknown = ExpectationEvaluator.Evaluate(Expect("embedding.gap", null, ComparisonOperator.Less, 1), Table, null, Embedded);
        Assert.False(unknown.Passed);
        Assert.Contains("embedding.function_gap", unknown.Message);
        Assert.Contains("embedding.hessian_negative_after", unknown.Message);
    }

    [Fact]
    public void ReductionAndEmbeddingMetricsAndTheTableAreCheckedTogether()
    {
        var results = ExpectationEvaluator.Evaluate(
            [Expect("loss", null, ComparisonOperator.Less, 0.01), Expect("reduction.width_after", null, ComparisonOperator.LessOrEqual, 5),
             Expect("embedding.hessian_zero_after", null, ComparisonOperator.GreaterOrEqual, 21)],
            Table, ExpectationEvaluatorTests.Reduced, EmbeddingFile.Parse(EmbeddingFile.Serialize(Embedded)));
        Assert.Equal([true, true, true], results.Select(r => r.Passed));
    }
}
