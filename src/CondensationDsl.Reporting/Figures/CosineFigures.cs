using System.Globalization;
using ScottPlot;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Cosine-similarity heatmaps per layer and snapshot, of the neurons' input weights (a convolution's: its filters' kernels)
/// and of their outputs, neurons ordered
/// so blocks show, each snapshot beside the initial state (the earliest snapshot present) so the blocks can be seen to form.
/// </summary>
internal static class CosineFigures
{
    /// <summary>
    /// What a cosine matrix compares: <paramref name="ArrayKind"/> names its arrays, <paramref name="FigureKind"/> its
    /// figures' kind and file stems, <paramref name="Vectors"/> the vectors in captions (<paramref name="FilterVectors"/> for a
    /// convolution's filters), <paramref name="Title"/> the header words.
    /// </summary>
    private sealed record SimilarityKind(string ArrayKind, string FigureKind, string Vectors, string FilterVectors, string Title);

    /// <summary>The runtime's `cosine L` (input weights, bias appended) and `cosine L outputs on d n` (post-activation outputs).</summary>
    private static readonly SimilarityKind[] Kinds =
    [
        new("cosine", "cosine", "input weights (bias appended)", "kernels (each over input channels × kernel positions, no bias)", "weights"),
        new("cosine_outputs", "cosine-outputs", "outputs (post-activation, each neuron's outputs on the observed data points as one vector)",
            "outputs (post-activation, each filter's outputs over the observed images and positions as one vector)", "outputs"),
    ];

    public static IEnumerable<FigureJob> Jobs(RunFiles run, FigureOptions options) => Kinds.SelectMany(kind => Jobs(run, options, kind));

    private static IEnumerable<FigureJob> Jobs(RunFiles run, FigureOptions options, SimilarityKind kind)
    {
        foreach (var layer in run.ByLayer(kind.ArrayKind))
        {
            var matrices = layer.Where(a => a.Shape is [var rows, var columns] && rows == columns && rows > 0).ToArray();
            if (matrices.Length == 0)
            {
                continue;
            }

            var name = layer.Key;
            var filters = run.IsConvolution(name);
            var unit = Unit(run, name);
            var initial = matrices[0];
            var initialWhen = run.WhenLabel(initial.Step);
            foreach (var matrix in matrices)
            {
                var when = run.WhenLabel(matrix.Step);
                var n = matrix.Shape[0];
                var stem = FigureJob.FileStem($"{kind.FigureKind}-{name}-step{matrix.Step.ToString("D7", CultureInfo.InvariantCulture)}");
                var declared = Declared(options, run, name, initial, matrix);
                var what = $"Cosine similarity D between the {(filters ? kind.FilterVectors : kind.Vectors)} of the {n} {unit}s of layer {name}";
                var scale = $"colour fixed to [−1, 1] (blue −1, white 0, red +1); blocks are {unit}s sharing a direction";
                if (ReferenceEquals(matrix, initial))
                {
                    yield return new FigureJob(stem, kind.FigureKind,
                        $"{what} at {when}, the earliest snapshot, {declared}; {scale}.",
                        (png, svg) => Render(run, options, kind, name, [(initial, initialWhen)], png, svg))
                    {
                        Step = matrix.Step,
                    };
                }
                else
                {
                    yield return new FigureJob(stem, kind.FigureKind,
                        $"{what} at {when} (right) beside the initial state at {initialWhen} (left), each panel {declared}; {scale}.",
                        (png, svg) => Render(run, options, kind, name, [(initial, initialWhen), (matrix, when)], png, svg))
                    {
                        Step = matrix.Step,
                    };
                }
            }
        }
    }

    /// <summary>The ordering as the caption declares it; cluster order falls back to eigenvector order without weights.</summary>
    private static string Declared(FigureOptions options, RunFiles run, string layer, params SnapshotArray[] matrices)
    {
        if (!string.Equals(options.HeatmapOrder, NeuronOrder.Cluster, StringComparison.OrdinalIgnoreCase))
        {
            return "in leading-eigenvector order";
        }

        return matrices.All(m => NeuronOrder.CanCluster(run.Find("weights", layer, m.Step), m.Shape[0]))
            ? string.Create(CultureInfo.InvariantCulture,
                $"in cluster order (leader clustering of the weights at τ = {options.ClusterThreshold:0.###}, static and negligible neurons last)")
            : "in leading-eigenvector order (cluster order needs the weights arrays, which are missing)";
    }

    private static void Render(RunFiles run, FigureOptions options, SimilarityKind kind, string layer, (SnapshotArray Matrix, string When)[] snapshots, string png, string svg)
    {
        var size = snapshots.Length == 1 ? FigureLayout.Single : FigureLayout.Pair;
        var panels = new List<PlacedPanel>();
        var drawnHere = new List<PanelDrawing>();
        try
        {
            // The last panel is wider by the colour bar it carries, so both matrices come out the same size.
            const int colorBarWidth = 130;
            var width = ((int)size.Width - colorBarWidth) / snapshots.Length;
            var height = (int)size.Height - FigureCanvas.HeaderHeight;
            for (var i = 0; i < snapshots.Length; i++)
            {
                var (matrix, when) = snapshots[i];
                var last = i == snapshots.Length - 1;
                var left = i * width;
                var panelWidth = last ? (int)size.Width - left : width;
                Plot Build() => Panel(run, options, kind, layer, matrix, when, withColorBar: last, Unit(run, layer));
                PanelDrawing drawing;
                if (last)
                {
                    drawing = PanelDrawing.Draw(Build, panelWidth, height);
                    drawnHere.Add(drawing);
                }
                else
                {
                    // The initial state's panel, the same beside every later snapshot: drawn once.
                    drawing = run.Panels.GetOrDraw(
                        $"{kind.FigureKind}/{layer}/{matrix.Step.ToString(CultureInfo.InvariantCulture)}/{panelWidth}x{height}", panelWidth, height, keepPixels: true, Build);
                }

                panels.Add(new PlacedPanel(drawing, left, FigureCanvas.HeaderHeight));
            }

            FigureCanvas.Save(png, svg, (int)size.Width, (int)size.Height, $"{run.Experiment} — cosine similarity of {kind.Title}, layer {layer}", panels);
        }
        finally
        {
            drawnHere.ForEach(d => d.Dispose());
        }
    }

    /// <summary>What the rows of a layer's matrices are: a convolution's filters, else neurons.</summary>
    private static string Unit(RunFiles run, string layer) => run.IsConvolution(layer) ? "filter" : "neuron";

    private static Plot Panel(RunFiles run, FigureOptions options, SimilarityKind kind, string layer, SnapshotArray matrix, string when, bool withColorBar, string unit)
    {
        var n = matrix.Shape[0];
        var weights = run.Find("weights", layer, matrix.Step);
        var features = run.Find("features", layer, matrix.Step) is { } f ? FeatureSnapshot.From(f) : null;
        var order = NeuronOrder.For(matrix.Data, n, options.HeatmapOrder, options.ClusterThreshold, weights, features);
        var axis = order.IsClusterOrder ? $"{unit} (cluster order)" : $"{unit} (eigenvector order)";
        var plot = FigureStyle.NewPlot(when, axis, axis);
        var heatmap = CosineHeatmap.Add(plot, matrix.Data, n, order.Order);
        FigureStyle.CountTicks(plot.Axes.Bottom, n);
        FigureStyle.CountTicks(plot.Axes.Left, n);
        // Room on the right for half the last tick label ("1000"), which would otherwise be cut at the panel's edge.
        plot.Axes.Right.MinimumSize = 2 * FigureStyle.TickLabelFontSize;
        if (withColorBar)
        {
            var bar = plot.Add.ColorBar(heatmap);
            bar.Label = $"cosine similarity D of {kind.Title}";
            bar.LabelStyle.FontSize = FigureStyle.AxisLabelFontSize;
            bar.Axis.TickLabelStyle.FontSize = FigureStyle.TickLabelFontSize;
            FigureStyle.UnitRangeTicks(bar.Axis);
        }

        return plot;
    }
}
