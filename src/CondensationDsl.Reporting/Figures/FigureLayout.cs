using ScottPlot;

namespace CondensationDsl.Reporting.Figures;

/// <summary>Figure sizes in pixels and where each panel goes; every figure's size is declared here (tests read the PNGs back).</summary>
internal static class FigureLayout
{
    /// <summary>A single-panel figure: 3:2, wide enough for a paper column at 14 px text.</summary>
    public static readonly PixelSize Single = new(1200, 800);

    /// <summary>Two heatmaps side by side (initial state, snapshot) sharing one colour bar.</summary>
    public static readonly PixelSize Pair = new(1500, 760);

    /// <summary>A sweep's phase diagram (γ′ across, γ up) with its colour bar on the right and its legend below.</summary>
    public static readonly PixelSize PhaseDiagram = new(1200, 960);

    /// <summary>A sweep's loss spectrum: log10(loss) across, one band per width up, its colour bar on the right.</summary>
    public static readonly PixelSize LossSpectrum = new(1200, 800);

    /// <summary>Small multiples: panel size, and at most this many columns so a panel stays readable.</summary>
    public const int CellWidth = 520;
    public const int CellHeight = 440;
    public const int MaxColumns = 4;

    /// <summary>Columns and rows for <paramref name="count"/> panels: one row up to 4, 3 columns for 5–6, else 4.</summary>
    public static (int Columns, int Rows) Grid(int count)
    {
        var columns = count <= MaxColumns ? Math.Max(count, 1) : count <= 6 ? 3 : MaxColumns;
        return (columns, (count + columns - 1) / columns);
    }

    public static PixelSize GridSize(int count)
    {
        var (columns, rows) = Grid(count);
        return new PixelSize(columns * CellWidth, FigureCanvas.HeaderHeight + (rows * CellHeight));
    }

    /// <summary>The rect of panel <paramref name="index"/> in a grid of <paramref name="count"/>, row by row.</summary>
    public static PixelRect GridCell(int count, int index)
    {
        var (columns, _) = Grid(count);
        var left = (index % columns) * CellWidth;
        var top = FigureCanvas.HeaderHeight + ((index / columns) * CellHeight);
        return new PixelRect(left, left + CellWidth, top + CellHeight, top);
    }

    /// <summary>The whole figure below the header.</summary>
    public static PixelRect Body(PixelSize size) => new(0, size.Width, size.Height, FigureCanvas.HeaderHeight);
}
