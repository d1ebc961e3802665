using ScottPlot;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// One cosine-similarity heatmap with the colour scale fixed to [−1, 1] on a diverging map, so white always means
/// orthogonal and the same colour means the same cosine in every panel and every run (autoscaling would paint a matrix of
/// values in [0.9, 1] from blue to red and invent structure).
/// </summary>
internal static class CosineHeatmap
{
    public static readonly ScottPlot.Range ColorRange = new(-1, 1);

    /// <summary>Blue (−1) through white (0) to red (+1): cmocean "balance".</summary>
    public static IColormap Colormap { get; } = new ScottPlot.Colormaps.Balance();

    /// <summary>
    /// Adds the n×n matrix, rows and columns taken in <paramref name="order"/>, to <paramref name="plot"/>: neuron position 1
    /// at the top left, as matrices are read.
    /// </summary>
    public static ScottPlot.Plottables.Heatmap Add(Plot plot, double[] cosine, int n, IReadOnlyList<int> order)
    {
        var permuted = CondensationDsl.Analysis.HeatmapOrder.Permute(cosine, n, order);
        var cells = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                cells[i, j] = permuted[(i * n) + j];
            }
        }

        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = Colormap;
        heatmap.ManualRange = ColorRange;
        heatmap.Smooth = false;
        heatmap.NaNCellColor = Colors.Gray;

        // Cell i spans [i, i + 1) on both axes, so ticks at whole neuron counts fall on cell edges. Row 0 of the intensities
        // is at y in [0, 1); the y axis is inverted so that row is the top of the panel and the diagonal runs from top left
        // to bottom right.
        HeatmapArea.Fill(heatmap, new CoordinateRect(0, n, 0, n));
        // No SquareUnits: it pads one axis with empty space, which reads as white, i.e. as cosine 0. The figure's panels
        // are sized to be nearly square instead.
        plot.Axes.SetLimits(0, n, n, 0);
        return heatmap;
    }
}
