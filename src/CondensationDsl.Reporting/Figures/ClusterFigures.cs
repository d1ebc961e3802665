using System.Globalization;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Cluster count, effective width and (when measured) condensed width and lines against step, one figure per layer: figure 1's
/// "the number of condensed orientations grows during training" as a curve.
/// </summary>
internal static class ClusterFigures
{
    private const string ClustersPrefix = "clusters.";

    public static IEnumerable<FigureJob> Jobs(RunFiles run)
    {
        if (run.Metrics is not { } metrics)
        {
            yield break;
        }

        foreach (var column in metrics.Columns.Where(c => c.StartsWith(ClustersPrefix, StringComparison.Ordinal)))
        {
            var layer = column[ClustersPrefix.Length..];
            var series = new[]
                {
                    MetricSeries.From(metrics, column, "clusters"),
                    MetricSeries.From(metrics, $"effective_width.{layer}", "effective width"),
                    MetricSeries.From(metrics, $"condensed_width.{layer}", "condensed width"),
                    MetricSeries.From(metrics, $"lines.{layer}", "lines (clusters of ≥ line_size neurons)"),
                }
                .OfType<MetricSeries>()
                .ToArray();
            if (series.Length == 0)
            {
                continue;
            }

            var logSteps = MetricSeries.SpansDecades(series);
            var last = string.Join(", ", series.Select(s => $"{s.Label} {s.Values[^1].ToString("G4", CultureInfo.InvariantCulture)}"));
            var lastStep = series.Max(s => s.Steps[^1]);
            yield return new FigureJob(
                FigureJob.FileStem($"clusters-{layer}"),
                "clusters",
                $"Clusters of layer {layer} (neurons grouped by direction), effective width, condensed width and lines against step"
                + (logSteps ? " (log step axis; step 0 not shown)" : string.Empty)
                + $"; at {run.WhenLabel((long)lastStep)}: {last}. Few clusters in a wide layer is condensation.",
                (png, svg) =>
                {
                    var size = FigureLayout.Single;
                    using var plot = SeriesPanel.Build(series, "number of clusters / neurons", logSteps, logValues: false, counts: true);
                    FigureCanvas.Save(png, svg, (int)size.Width, (int)size.Height, $"{run.Experiment} — clusters of layer {layer}",
                        [new Panel(plot, FigureLayout.Body(size))]);
                });
        }
    }
}
