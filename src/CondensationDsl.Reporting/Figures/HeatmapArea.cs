using ScottPlot;
using ScottPlot.Plottables;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Puts a heatmap's cells exactly on a rectangle of the plot, so that cell edges fall where the axis ticks say. ScottPlot's
/// extent names the centres of the corner cells (its image is one cell larger than the rectangle given), and it derives a
/// cell's size from the extent divided by one less than the number of cells, which a single row or column cannot give.
/// </summary>
internal static class HeatmapArea
{
    /// <summary>
    /// Fills <paramref name="area"/> with the cells of <paramref name="heatmap"/>: column j of W spans
    /// [left + j·w, left + (j + 1)·w) with w = width / W, and rows alike on the y axis, row 0 of the intensities drawn at the
    /// top of the plot (on a y axis that is not inverted, at the top of <paramref name="area"/>; on an inverted one, at
    /// y = bottom). A single row or column is repeated (two cells of half the size each).
    /// </summary>
    public static void Fill(Heatmap heatmap, CoordinateRect area)
    {
        var cells = heatmap.Intensities;
        if (cells.GetLength(0) == 1 || cells.GetLength(1) == 1)
        {
            heatmap.Intensities = Doubled(cells);
            cells = heatmap.Intensities;
        }

        var halfWidth = area.Width / cells.GetLength(1) / 2;
        var halfHeight = area.Height / cells.GetLength(0) / 2;
        heatmap.Extent = new CoordinateRect(area.Left + halfWidth, area.Right - halfWidth, area.Bottom + halfHeight, area.Top - halfHeight);
    }

    private static double[,] Doubled(double[,] cells)
    {
        var rowFactor = cells.GetLength(0) == 1 ? 2 : 1;
        var columnFactor = cells.GetLength(1) == 1 ? 2 : 1;
        var doubled = new double[cells.GetLength(0) * rowFactor, cells.GetLength(1) * columnFactor];
        for (var i = 0; i < doubled.GetLength(0); i++)
        {
            for (var j = 0; j < doubled.GetLength(1); j++)
            {
                doubled[i, j] = cells[i / rowFactor, j / columnFactor];
            }
        }

        return doubled;
    }
}
