using System.Globalization;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// The block measure against step, one figure per layer: the fraction of neuron pairs pointing the same way (cosine ≥ the
/// threshold) in the weights ("aligned.&lt;layer&gt;") and in the outputs ("aligned_outputs.&lt;layer&gt;"). Near 0 for a
/// random layer; it rises as blocks form in the cosine heatmaps. One condensation curve per layer: a layer whose clusters
/// are observed has the cluster figure (<see cref="ClusterFigures"/>) instead — convolutions, which have no clusters, get
/// this one.
/// </summary>
internal static class AlignmentFigures
{
    private const string WeightsPrefix = "aligned.";
    private const string OutputsPrefix = "aligned_outputs.";

    public static IEnumerable<FigureJob> Jobs(RunFiles run)
    {
        if (run.Metrics is not { } metrics)
        {
            yield break;
        }

        var layers = metrics.Columns
            .Select(c => c.StartsWith(WeightsPrefix, StringComparison.Ordinal) ? c[WeightsPrefix.Length..]
                : c.StartsWith(OutputsPrefix, StringComparison.Ordinal) ? c[OutputsPrefix.Length..]
                : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Where(layer => metrics.IndexOf("clusters." + layer) < 0);
        foreach (var layer in layers)
        {
            var series = new[]
                {
                    MetricSeries.From(metrics, WeightsPrefix + layer, "weights"),
                    MetricSeries.From(metrics, OutputsPrefix + layer, "outputs"),
                }
                .OfType<MetricSeries>()
                .ToArray();
            if (series.Length == 0)
            {
                continue;
            }

            var logSteps = MetricSeries.SpansDecades(series);
            var last = string.Join(", ", series.Select(s => $"{s.Label} {s.Values[^1].ToString("0.###", CultureInfo.InvariantCulture)}"));
            yield return new FigureJob(
                FigureJob.FileStem($"aligned-{layer}"),
                "aligned",
                $"Aligned pairs of layer {layer}: the fraction of neuron pairs with cosine at or above the threshold, in the weights and in the outputs, against step"
                + (logSteps ? " (log step axis; step 0 not shown)" : string.Empty)
                + $"; at {run.WhenLabel((long)series.Max(s => s.Steps[^1]))}: {last}. Blocks in the heatmaps raise it.",
                (png, svg) =>
                {
                    var size = FigureLayout.Single;
                    using var plot = SeriesPanel.Build(series, "fraction of aligned pairs", logSteps, logValues: false, counts: false);
                    FigureCanvas.Save(png, svg, (int)size.Width, (int)size.Height, $"{run.Experiment} — aligned pairs of layer {layer}",
                        [new Panel(plot, FigureLayout.Body(size))]);
                });
        }
    }
}
