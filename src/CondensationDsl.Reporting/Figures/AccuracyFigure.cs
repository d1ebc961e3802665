using System.Globalization;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Accuracy against step, the training data's ("accuracy") and every other observed data set's ("accuracy.test") in one
/// panel: how far classification has come when a heatmap snapshot was taken, and the gap between training and test.
/// </summary>
internal static class AccuracyFigure
{
    public static IEnumerable<FigureJob> Jobs(RunFiles run)
    {
        if (run.Metrics is not { } metrics)
        {
            yield break;
        }

        var series = metrics.Columns
            .Where(c => c == "accuracy" || c.StartsWith("accuracy.", StringComparison.Ordinal))
            .Select(c => MetricSeries.From(metrics, c, c == "accuracy" ? "accuracy (training data)" : $"accuracy on {c["accuracy.".Length..]}"))
            .OfType<MetricSeries>()
            .ToArray();
        if (series.Length == 0)
        {
            yield break;
        }

        var last = string.Join(", ", series.Select(s => $"{s.Label} {s.Values[^1].ToString("0.####", CultureInfo.InvariantCulture)}"));
        yield return new FigureJob(
            "accuracy",
            "accuracy",
            $"Fraction of samples classified right against step; at {run.WhenLabel((long)series.Max(s => s.Steps[^1]))}: {last}.",
            (png, svg) =>
            {
                var size = FigureLayout.Single;
                using var plot = SeriesPanel.Build(series, "accuracy", logSteps: false, logValues: false, counts: false, rising: true);
                FigureCanvas.Save(png, svg, (int)size.Width, (int)size.Height, $"{run.Experiment} — accuracy",
                    [new Panel(plot, FigureLayout.Body(size))]);
            });
    }
}
