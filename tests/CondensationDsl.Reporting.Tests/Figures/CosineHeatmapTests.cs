using CondensationDsl.Reporting.Figures;
using ScottPlot;
using SkiaSharp;

namespace CondensationDsl.Reporting.Tests.Figures;

public class CosineHeatmapTests
{
    [Theory]
    [InlineData(0.9, 1.0)]
    [InlineData(-0.2, 0.3)]
    [InlineData(0.0, 0.0)]
    public void ColourRangeIsMinusOneToOneWhateverTheData(double low, double high)
    {
        const int n = 6;
        var cosine = Enumerable.Range(0, n * n).Select(i => low + ((high - low) * (i % 7) / 6.0)).ToArray();
        using var plot = new Plot();

        var heatmap = CosineHeatmap.Add(plot, cosine, n, Enumerable.Range(0, n).ToArray());

        Assert.Equal(new ScottPlot.Range(-1, 1), heatmap.ManualRange);
        Assert.Equal(-1, heatmap.GetRange().Min);
        Assert.Equal(1, heatmap.GetRange().Max);
        Assert.IsType<ScottPlot.Colormaps.Balance>(heatmap.Colormap);
    }

    [Fact]
    public void RenderedColourMatchesTheFixedScale()
    {
        // Every cosine is 0.95: on an autoscaled map the constant matrix would take an end colour; on [−1, 1] it is the
        // colour at (0.95 + 1) / 2 of the map, a mid red.
        const int n = 8;
        var cosine = Enumerable.Repeat(0.95, n * n).ToArray();
        using var plot = new Plot();
        CosineHeatmap.Add(plot, cosine, n, Enumerable.Range(0, n).ToArray());

        using var surface = SKSurface.Create(new SKImageInfo(400, 400));
        plot.Render(surface.Canvas, 400, 400);
        var center = plot.LastRender.DataRect.Center;
        using var image = surface.Snapshot();
        using var bitmap = SKBitmap.FromImage(image);
        var pixel = bitmap.GetPixel((int)center.X, (int)center.Y);

        var expected = CosineHeatmap.Colormap.GetColor((0.95 + 1) / 2);
        Assert.InRange(Math.Abs(pixel.Red - expected.R), 0, 3);
        Assert.InRange(Math.Abs(pixel.Green - expected.G), 0, 3);
        Assert.InRange(Math.Abs(pixel.Blue - expected.B), 0, 3);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public void Cell_i_spans_i_to_i_plus_1_on_both_axes(int n)
    {
        // The diagonal +1, the rest −1: each point just inside a diagonal cell's corners is red, and just past the cell's
        // edge blue, so the ticks at whole neuron counts fall on cell edges (ScottPlot's extent names cell centres). Entry
        // (0, n − 1) is +1 too: row 0, last column, so row i must be drawn at y in [i, i + 1), column j at x in [j, j + 1).
        var cosine = Enumerable.Range(0, n * n).Select(k => k / n == k % n || k == n - 1 ? 1.0 : -1.0).ToArray();
        using var plot = new Plot();
        CosineHeatmap.Add(plot, cosine, n, Enumerable.Range(0, n).ToArray());
        using var surface = SKSurface.Create(new SKImageInfo(800, 800));
        plot.Render(surface.Canvas, 800, 800);
        using var image = surface.Snapshot();
        using var bitmap = SKBitmap.FromImage(image);
        SKColor At(double x, double y)
        {
            var pixel = plot.GetPixel(new Coordinates(x, y));
            return bitmap.GetPixel((int)pixel.X, (int)pixel.Y);
        }

        for (var i = 0; i < n; i++)
        {
            foreach (var (dx, dy) in new[] { (0.08, 0.08), (0.92, 0.08), (0.08, 0.92), (0.92, 0.92) })
            {
                var inside = At(i + dx, i + dy);
                Assert.True(inside.Red > inside.Blue, $"({i + dx}, {i + dy}) is in diagonal cell {i}, drawn {inside}");
            }

            if (i + 1 < n && i > 0)
            {
                var past = At(i + 1.08, i + 0.5);
                Assert.True(past.Blue > past.Red, $"({i + 1.08}, {i + 0.5}) is in row {i}, column {i + 1}, drawn {past}");
            }
        }

        if (n > 1)
        {
            var rowZeroLastColumn = At(n - 0.5, 0.5);
            var lastRowColumnZero = At(0.5, n - 0.5);
            Assert.True(rowZeroLastColumn.Red > rowZeroLastColumn.Blue, $"row 0, column {n - 1} drawn {rowZeroLastColumn}");
            Assert.True(lastRowColumnZero.Blue > lastRowColumnZero.Red, $"row {n - 1}, column 0 drawn {lastRowColumnZero}");
        }
    }

    [Fact]
    public void RowsFollowTheOrderTopToBottom()
    {
        // Matrix entry (i, j) = i / 10 − 0.5 so rows are distinguishable; order [2, 0, 1] puts row 2 at the top.
        const int n = 3;
        var cosine = Enumerable.Range(0, n * n).Select(i => ((i / n) / 10.0) - 0.5).ToArray();
        using var plot = new Plot();

        var heatmap = CosineHeatmap.Add(plot, cosine, n, [2, 0, 1]);

        Assert.Equal(cosine[2 * n], heatmap.Intensities[0, 0]);
        Assert.Equal(cosine[0], heatmap.Intensities[1, 0]);
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Top < limits.Bottom, "the y axis is inverted so row 0 is drawn at the top");
    }
}
