namespace CondensationDsl.Reporting.Figures;

/// <summary>One metrics.csv column against step, empty cells (NaN: not measured at that step) left out.</summary>
internal sealed record MetricSeries(string Label, double[] Steps, double[] Values)
{
    public static MetricSeries? From(MetricsTable metrics, string column, string label)
    {
        var stepIndex = metrics.IndexOf(MetricsCsvWriter.StepColumn);
        var valueIndex = metrics.IndexOf(column);
        if (stepIndex < 0 || valueIndex < 0)
        {
            return null;
        }

        var steps = new List<double>();
        var values = new List<double>();
        foreach (var row in metrics.Rows)
        {
            if (double.IsFinite(row[stepIndex]) && double.IsFinite(row[valueIndex]))
            {
                steps.Add(row[stepIndex]);
                values.Add(row[valueIndex]);
            }
        }

        return steps.Count == 0 ? null : new MetricSeries(label, [.. steps], [.. values]);
    }

    /// <summary>
    /// Whether a step axis should be logarithmic: the positive steps span more than two decades. Under small
    /// initialization the interesting changes happen early and the run is long, so a linear axis would crush them.
    /// </summary>
    public static bool SpansDecades(IEnumerable<MetricSeries> series)
    {
        var positive = series.SelectMany(s => s.Steps).Where(x => x > 0).ToArray();
        return positive.Length > 1 && positive.Max() / positive.Min() > 100;
    }
}
