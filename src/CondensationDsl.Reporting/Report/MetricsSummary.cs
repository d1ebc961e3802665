namespace CondensationDsl.Reporting.Report;

/// <summary>A value of a metrics.csv column and the step of the row it came from.</summary>
public readonly record struct SteppedValue(double Step, double Value);

/// <summary>The final value of each per-layer measure of one layer (absent measures are not in the dictionary).</summary>
public sealed record LayerSummary(string Layer, IReadOnlyDictionary<string, SteppedValue> Final);

/// <summary>
/// The few numbers the report's summary shows from metrics.csv: the loss at the first and last observation that measured
/// it, and per layer the last recorded value of each per-layer measure (clusters first, the count the paper follows).
/// </summary>
public sealed record MetricsSummary(int Rows, SteppedValue? FirstLoss, SteppedValue? LastLoss, IReadOnlyList<string> Measures, IReadOnlyList<LayerSummary> Layers)
{
    /// <summary>Per-layer measures in the order the summary table shows them (README "Result files").</summary>
    public static readonly IReadOnlyList<string> LayerMeasures =
        ["clusters", "effective_width", "condensed_width", "negligible", "static", "reldis"];

    public static MetricsSummary From(MetricsTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var step = table.IndexOf(MetricsCsvWriter.StepColumn);
        SteppedValue? first = null, last = null;
        var loss = table.IndexOf("loss");
        if (loss >= 0 && step >= 0)
        {
            first = Find(table.Rows, step, loss);
            last = Find(table.Rows.Reverse(), step, loss);
        }

        // Layers in order of first appearance in the header; measures only where some layer has them.
        var layers = new List<string>();
        foreach (var column in table.Columns)
        {
            var dot = column.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && LayerMeasures.Contains(column[..dot]) && !layers.Contains(column[(dot + 1)..]))
            {
                layers.Add(column[(dot + 1)..]);
            }
        }

        var summaries = layers.Select(layer =>
        {
            var final = new Dictionary<string, SteppedValue>(StringComparer.Ordinal);
            foreach (var measure in LayerMeasures)
            {
                var column = table.IndexOf($"{measure}.{layer}");
                if (column >= 0 && step >= 0 && Find(table.Rows.Reverse(), step, column) is { } value)
                {
                    final[measure] = value;
                }
            }

            return new LayerSummary(layer, final);
        }).ToArray();
        var measures = LayerMeasures.Where(m => summaries.Any(s => s.Final.ContainsKey(m))).ToArray();
        return new MetricsSummary(table.Rows.Count, first, last, measures, summaries);
    }

    private static SteppedValue? Find(IEnumerable<double[]> rows, int step, int column) =>
        rows.FirstOrDefault(r => !double.IsNaN(r[column])) is { } row ? new SteppedValue(row[step], row[column]) : null;
}
