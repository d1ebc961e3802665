using System.Globalization;

namespace CondensationDsl.Reporting.Figures;

/// <summary>Loss against step on a log scale: plateaus are the saddles between condensation stages.</summary>
internal static class LossFigure
{
    public static IEnumerable<FigureJob> Jobs(RunFiles run)
    {
        if (run.Metrics is not { } metrics)
        {
            yield break;
        }

        // "loss" and any per-dataset variant ("loss.test") share the panel.
        var series = metrics.Columns
            .Where(c => c == "loss" || c.StartsWith("loss.", StringComparison.Ordinal))
            .Select(c => MetricSeries.From(metrics, c, c))
            .OfType<MetricSeries>()
            .Where(s => s.Values.Any(v => v > 0))
            .ToArray();
        if (series.Length == 0)
        {
            yield break;
        }

        var final = series[0].Values[^1].ToString("G3", CultureInfo.InvariantCulture);
        yield return new FigureJob(
            "loss",
            "loss",
            $"Loss against step on a log scale ({series[0].Steps.Length} observations; {series[0].Label} at {run.WhenLabel((long)series[0].Steps[^1])}: {final}).",
            (png, svg) =>
            {
                var size = FigureLayout.Single;
                using var plot = SeriesPanel.Build(series, "loss (log scale)", logSteps: false, logValues: true, counts: false);
                FigureCanvas.Save(png, svg, (int)size.Width, (int)size.Height, $"{run.Experiment} — loss",
                    [new Panel(plot, FigureLayout.Body(size))]);
            });
    }
}
