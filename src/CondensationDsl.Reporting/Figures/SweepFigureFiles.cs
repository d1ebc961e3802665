using ScottPlot;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// The single-plot figures of a sweep folder (phase diagram, loss spectrum): figures/&lt;stem&gt;.png and .svg written
/// through <see cref="FigureCanvas.Save"/>, and removed when an earlier sweep into the same folder drew them and this one does not.
/// </summary>
internal static class SweepFigureFiles
{
    /// <summary>Writes figures/&lt;stem&gt;.png and .svg in <paramref name="sweepDirectory"/> (one panel under the header); returns the PNG's path.</summary>
    public static string Save(string sweepDirectory, string stem, PixelSize size, string title, Plot plot)
    {
        var folder = Path.Combine(sweepDirectory, FigureRenderer.FiguresFolderName);
        Directory.CreateDirectory(folder);
        var png = Path.Combine(folder, stem + ".png");
        FigureCanvas.Save(png, Path.Combine(folder, stem + ".svg"), (int)size.Width, (int)size.Height, title, [new Panel(plot, FigureLayout.Body(size))]);
        return png;
    }

    /// <summary>Removes figures/&lt;stem&gt;.png and .svg if present (File.Delete ignores a missing file but not a missing folder).</summary>
    public static void Delete(string sweepDirectory, string stem)
    {
        var folder = Path.Combine(sweepDirectory, FigureRenderer.FiguresFolderName);
        if (Directory.Exists(folder))
        {
            foreach (var extension in new[] { ".png", ".svg" })
            {
                File.Delete(Path.Combine(folder, stem + extension));
            }
        }
    }
}

/// <summary>
/// A colour bar's source when the figure's colours are fixed rather than owned by a plottable (tiles of the phase diagram;
/// a loss spectrum whose range must not follow its data): the map and the range the colours were picked from.
/// </summary>
internal sealed class FixedColorAxis(IColormap colormap, ScottPlot.Range range) : IHasColorAxis
{
    public IColormap Colormap => colormap;

    public ScottPlot.Range GetRange() => range;
}
