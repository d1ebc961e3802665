using System.Globalization;
using CondensationDsl.Runtime.Embedding;
using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Reduction;

namespace CondensationDsl.Reporting;

/// <summary>The outcome of one `expect` clause. <see cref="Actual"/> is null when the measure has no value there.</summary>
public sealed record ExpectationResult(Expectation Expectation, double? Actual, bool Passed, string Message);

/// <summary>
/// Checks `expect measure at step|end op value` clauses against a run's metrics.csv, and the width-reduction metrics
/// (<see cref="ReductionPrefix"/>…) against its reduction.json and the embedding-check metrics (<see cref="EmbeddingPrefix"/>…)
/// against its embedding.json.
/// </summary>
public static class ExpectationEvaluator
{
    /// <summary>Metrics named reduction.&lt;field&gt; are read from the run's reduction result, not from metrics.csv.</summary>
    public const string ReductionPrefix = "reduction.";

    /// <summary>The reduction metrics, reduction.&lt;name&gt;, with the field of <see cref="ReductionResult"/> each one reads.</summary>
    private static readonly (string Name, Func<ReductionResult, double?> Read)[] ReductionMetrics =
    [
        ("width_before", r => r.WidthBefore),
        ("width_after", r => r.WidthAfter),
        ("loss_before", r => r.LossBefore),
        ("loss_reduced", r => r.LossReduced),
        ("agreement_reduced", r => r.AgreementReduced),
        ("loss_finetuned", r => r.LossFinetuned),
        ("agreement_finetuned", r => r.AgreementFinetuned),
    ];

    /// <summary>Metrics named embedding.&lt;field&gt; are read from the run's embedding result (embedding.json), not from metrics.csv.</summary>
    public const string EmbeddingPrefix = "embedding.";

    /// <summary>The embedding metrics, embedding.&lt;name&gt;, with the field of <see cref="EmbeddingResult"/> each one reads.</summary>
    private static readonly (string Name, Func<EmbeddingResult, double?> Read)[] EmbeddingMetrics =
    [
        ("function_gap", e => e.FunctionGap),
        ("loss_before", e => e.LossBefore),
        ("loss_after", e => e.LossAfter),
        ("gradient_before", e => e.GradientNormBefore),
        ("gradient_after", e => e.GradientNormAfter),
        ("hessian_positive_before", e => e.HessianBefore?.Positive),
        ("hessian_zero_before", e => e.HessianBefore?.Zero),
        ("hessian_negative_before", e => e.HessianBefore?.Negative),
        ("hessian_positive_after", e => e.HessianAfter?.Positive),
        ("hessian_zero_after", e => e.HessianAfter?.Zero),
        ("hessian_negative_after", e => e.HessianAfter?.Negative),
    ];

    /// <summary>
    /// The field names after <see cref="EmbeddingPrefix"/> that an expectation can name (embedding.function_gap, …), in
    /// order: function_gap, loss_before, loss_after, gradient_before, gradient_after, hessian_positive_before,
    /// hessian_zero_before, hessian_negative_before, hessian_positive_after, hessian_zero_after, hessian_negative_after.
    /// </summary>
    public static IReadOnlyList<string> EmbeddingFields { get; } = Array.AsReadOnly(EmbeddingMetrics.Select(m => m.Name).ToArray());

    /// <summary>
    /// One result per expectation, in order. `at N` reads the row whose step column is N (the last such row if there are
    /// several); `end` reads the last row that has a value in the column. A missing column, step or value fails the clause.
    /// A reduction metric fails: use the overload that takes the run's reduction result.
    /// </summary>
    public static IReadOnlyList<ExpectationResult> Evaluate(IReadOnlyList<Expectation> expectations, MetricsTable table) =>
        Evaluate(expectations, table, null);

    /// <summary>
    /// As <see cref="Evaluate(IReadOnlyList{Expectation}, MetricsTable)"/>, and reduction.&lt;field&gt; metrics are read from
    /// <paramref name="reduction"/> (the run's reduction.json, see <see cref="Report.ReductionFile.Read"/>; null when the run
    /// has none). A reduction metric exists once, after training: only `at end` can name it.
    /// </summary>
    public static IReadOnlyList<ExpectationResult> Evaluate(IReadOnlyList<Expectation> expectations, MetricsTable table, ReductionResult? reduction) =>
        Evaluate(expectations, table, reduction, null);

    /// <summary>
    /// As <see cref="Evaluate(IReadOnlyList{Expectation}, MetricsTable, ReductionResult)"/>, and embedding.&lt;field&gt;
    /// metrics are read from <paramref name="embedding"/> (the run's embedding.json, see <see cref="Report.EmbeddingFile.Read"/>;
    /// null when the run has none). An embedding metric exists once, after training: only `at end` can name it.
    /// </summary>
    public static IReadOnlyList<ExpectationResult> Evaluate(IReadOnlyList<Expectation> expectations, MetricsTable table, ReductionResult? reduction, EmbeddingResult? embedding)
    {
        ArgumentNullException.ThrowIfNull(expectations);
        ArgumentNullException.ThrowIfNull(table);
        return expectations.Select(e => Evaluate(e, table, reduction, embedding)).ToArray();
    }

    public static ExpectationResult Evaluate(Expectation expectation, MetricsTable table) => Evaluate(expectation, table, null);

    public static ExpectationResult Evaluate(Expectation expectation, MetricsTable table, ReductionResult? reduction) =>
        Evaluate(expectation, table, reduction, null);

    public static ExpectationResult Evaluate(Expectation expectation, MetricsTable table, ReductionResult? reduction, EmbeddingResult? embedding)
    {
        ArgumentNullException.ThrowIfNull(expectation);
        ArgumentNullException.ThrowIfNull(table);
        var where = expectation.AtStep is { } at ? $"at {at.ToString(CultureInfo.InvariantCulture)}" : "at end";
        var subject = $"{expectation.Metric} {where}";
        var wanted = $"expected {Symbol(expectation.Operator)} {Format(expectation.Value)}";
        if (expectation.Metric.StartsWith(ReductionPrefix, StringComparison.Ordinal))
        {
            return EvaluateReduction(expectation, reduction, subject, wanted);
        }

        if (expectation.Metric.StartsWith(EmbeddingPrefix, StringComparison.Ordinal))
        {
            return EvaluateEmbedding(expectation, embedding, subject, wanted);
        }

        var column = table.IndexOf(expectation.Metric);
        if (column < 0)
        {
            return Failed($"{subject}: metrics.csv has no column '{expectation.Metric}' ({wanted})");
        }

        var stepColumn = table.IndexOf(MetricsCsvWriter.StepColumn);
        if (stepColumn < 0)
        {
            return Failed($"{subject}: metrics.csv has no '{MetricsCsvWriter.StepColumn}' column ({wanted})");
        }

        double? actual = null;
        double step = double.NaN;
        if (expectation.AtStep is { } target)
        {
            var row = table.Rows.LastOrDefault(r => r[stepColumn] == target);
            if (row is null)
            {
                return Failed($"{subject}: no row for step {target.ToString(CultureInfo.InvariantCulture)} in metrics.csv ({DescribeSteps(table, stepColumn)}; {wanted})");
            }

            if (double.IsNaN(row[column]))
            {
                return Failed($"{subject}: not measured at step {target.ToString(CultureInfo.InvariantCulture)} ({wanted})");
            }

            actual = row[column];
        }
        else
        {
            var row = table.Rows.LastOrDefault(r => !double.IsNaN(r[column]));
            if (row is null)
            {
                return Failed($"{subject}: never measured ({wanted})");
            }

            actual = row[column];
            step = row[stepColumn];
        }

        var value = actual.Value;
        var passed = Compare(value, expectation.Operator, expectation.Value);
        var stepNote = double.IsNaN(step) ? string.Empty : $" (step {Format(step)})";
        return new ExpectationResult(expectation, value, passed, $"{subject}{stepNote} = {Format(value)} ({wanted})");

        ExpectationResult Failed(string text) => new(expectation, null, false, text);
    }

    private static ExpectationResult EvaluateReduction(Expectation expectation, ReductionResult? reduction, string subject, string wanted)
    {
        var name = expectation.Metric[ReductionPrefix.Length..];
        var metric = Array.Find(ReductionMetrics, m => m.Name == name);
        if (metric.Read is null)
        {
            var known = string.Join(", ", ReductionMetrics.Select(m => ReductionPrefix + m.Name));
            return Failed($"{subject}: no reduction result is called '{expectation.Metric}'; there are {known} ({wanted})");
        }

        if (expectation.AtStep is not null)
        {
            return Failed($"{subject}: the reduction is measured once, after training; only `at end` can name it ({wanted})");
        }

        if (reduction is null)
        {
            return Failed($"{subject}: the run has no width reduction result (no reduction.json: the experiment does not reduce a layer, or the run stopped before the reduction) ({wanted})");
        }

        if (metric.Read(reduction) is not { } value)
        {
            return Failed($"{subject}: the reduced network was not fine-tuned (no train block after reduce, or fine-tuning did not finish) ({wanted})");
        }

        var passed = Compare(value, expectation.Operator, expectation.Value);
        return new ExpectationResult(expectation, value, passed, $"{subject} = {Format(value)} (layer {reduction.Layer}; {wanted})");

        ExpectationResult Failed(string text) => new(expectation, null, false, text);
    }

    private static ExpectationResult EvaluateEmbedding(Expectation expectation, EmbeddingResult? embedding, string subject, string wanted)
    {
        var name = expectation.Metric[EmbeddingPrefix.Length..];
        var metric = Array.Find(EmbeddingMetrics, m => m.Name == name);
        if (metric.Read is null)
        {
            var known = string.Join(", ", EmbeddingMetrics.Select(m => EmbeddingPrefix + m.Name));
            return Failed($"{subject}: no embedding result is called '{expectation.Metric}'; there are {known} ({wanted})");
        }

        if (expectation.AtStep is not null)
        {
            return Failed($"{subject}: the embedding is checked once, after training; only `at end` can name it ({wanted})");
        }

        if (embedding is null)
        {
            return Failed($"{subject}: the run has no embedding result (no embedding.json: the experiment does not embed a layer, or the run stopped before the embedding) ({wanted})");
        }

        if (metric.Read(embedding) is not { } value)
        {
            var why = embedding.HessianSkipped is { } reason ? $": {reason}" : string.Empty;
            return Failed($"{subject}: the Hessian eigenvalues were not computed{why} ({wanted})");
        }

        var passed = Compare(value, expectation.Operator, expectation.Value);
        return new ExpectationResult(expectation, value, passed,
            $"{subject} = {Format(value)} (layer {embedding.Layer}, neuron {(embedding.Neuron + 1).ToString(CultureInfo.InvariantCulture)}; {wanted})");

        ExpectationResult Failed(string text) => new(expectation, null, false, text);
    }

    public static bool Compare(double actual, ComparisonOperator op, double expected) => op.Holds(actual, expected);

    public static string Symbol(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.Equal => "==",
        ComparisonOperator.NotEqual => "!=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown comparison operator."),
    };

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // Enough of the recorded steps to spot a typo in `at N` without flooding the terminal.
    private static string DescribeSteps(MetricsTable table, int stepColumn)
    {
        const int shown = 8;
        var steps = table.Rows.Select(r => r[stepColumn]).Distinct().ToArray();
        if (steps.Length == 0)
        {
            return "no rows recorded";
        }

        var list = string.Join(", ", steps.Take(shown).Select(Format));
        return steps.Length > shown ? $"recorded steps: {list}, … {Format(steps[^1])}" : $"recorded steps: {list}";
    }
}
