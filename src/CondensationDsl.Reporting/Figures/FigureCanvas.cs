using ScottPlot;
using SkiaSharp;

namespace CondensationDsl.Reporting.Figures;

/// <summary>A plot and the part of the figure it fills (pixels, origin top left).</summary>
internal sealed record Panel(Plot Plot, PixelRect Rect);

/// <summary>A drawn panel and where its top left corner goes in the figure (pixels).</summary>
internal sealed record PlacedPanel(PanelDrawing Drawing, int Left, int Top);

/// <summary>
/// Draws a header line (the experiment's name and what the figure shows) above one or more panels, and writes the result
/// as PNG and SVG. ScottPlot's Multiplot has no SVG output and no figure-wide title, so panels are placed here.
/// </summary>
internal static class FigureCanvas
{
    /// <summary>Height of the header strip that holds the figure's title.</summary>
    public const int HeaderHeight = 56;

    /// <summary>Renders <paramref name="panels"/> under <paramref name="title"/>; both files are written atomically.</summary>
    public static void Save(string pngPath, string svgPath, int width, int height, string title, IReadOnlyList<Panel> panels)
    {
        var placed = new List<PlacedPanel>(panels.Count);
        try
        {
            foreach (var (plot, rect) in panels)
            {
                placed.Add(new PlacedPanel(PanelDrawing.Draw(plot, (int)rect.Width, (int)rect.Height), (int)rect.Left, (int)rect.Top));
            }

            Save(pngPath, svgPath, width, height, title, placed);
        }
        finally
        {
            placed.ForEach(p => p.Drawing.Dispose());
        }
    }

    /// <summary>
    /// Places drawn panels under <paramref name="title"/>; both files are written atomically. The panels stay the caller's
    /// (a cached one goes into other figures too).
    /// </summary>
    public static void Save(string pngPath, string svgPath, int width, int height, string title, IReadOnlyList<PlacedPanel> panels)
    {
        AtomicFile.Write(pngPath, stream =>
        {
            using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}×{height} surface.");
            DrawHeader(surface.Canvas, width, title);
            foreach (var (drawing, left, top) in panels)
            {
                drawing.DrawOn(surface.Canvas, left, top);
            }

            using var pixels = surface.PeekPixels()
                ?? throw new InvalidOperationException($"SkiaSharp gave no pixels for {pngPath}.");

            // Every figure starts from an opaque white fill, so every pixel's alpha is 255 and premultiplied bytes are the
            // plain RGBA a PNG holds.
            PngEncoder.Write(stream, pixels.GetPixelSpan(), width, height, pixels.RowBytes);
        });

        AtomicFile.WriteAllText(svgPath, SvgDocument.Assemble(SvgDocument.Write(width, height, canvas => DrawHeader(canvas, width, title)), panels));
    }

    /// <summary>The white page and the title, centred in the header strip.</summary>
    private static void DrawHeader(SKCanvas canvas, int width, string title)
    {
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var font = new SKFont(Fonts.GetTypeface(FigureStyle.FontName, bold: true, italic: false, FontSpacing.Normal), FigureStyle.HeaderFontSize);
        // Baseline placed so the cap height sits centred in the header strip.
        canvas.DrawText(title, width / 2f, (HeaderHeight + FigureStyle.HeaderFontSize * 0.7f) / 2f, SKTextAlign.Center, font, paint);
    }
}
