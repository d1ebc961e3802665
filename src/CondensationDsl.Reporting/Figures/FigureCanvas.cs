using ScottPlot;
using SkiaSharp;

namespace CondensationDsl.Reporting.Figures;

/// <summary>A plot and the part of the figure it fills (pixels, origin top left).</summary>
internal sealed record Panel(Plot Plot, PixelRect Rect);

/// <summary>
/// Draws a header line (the experiment's name and what the figure shows) above one or more ScottPlot panels, and writes
/// the result as PNG and SVG. ScottPlot's Multiplot has no SVG output and no figure-wide title, so panels are placed here.
/// </summary>
internal static class FigureCanvas
{
    /// <summary>Height of the header strip that holds the figure's title.</summary>
    public const int HeaderHeight = 56;

    /// <summary>Renders <paramref name="panels"/> under <paramref name="title"/>; both files are written atomically.</summary>
    public static void Save(string pngPath, string svgPath, int width, int height, string title, IReadOnlyList<Panel> panels)
    {
        // The plots are drawn once, into a picture both files replay: ScottPlot's layout and drawing are then paid once,
        // not once per format.
        using var picture = Record(width, height, title, panels);
        AtomicFile.Write(pngPath, stream =>
        {
            using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}×{height} surface.");
            surface.Canvas.DrawPicture(picture);
            using var pixels = surface.PeekPixels()
                ?? throw new InvalidOperationException($"SkiaSharp gave no pixels for {pngPath}.");

            // Every figure starts from an opaque white fill, so every pixel's alpha is 255 and premultiplied bytes are the
            // plain RGBA a PNG holds.
            PngEncoder.Write(stream, pixels.GetPixelSpan(), width, height, pixels.RowBytes);
        });

        // A native memory stream: with a .NET stream Skia calls back into managed code for every small write, which made
        // a features panel's SVG about five times slower to write.
        using var svg = new SKDynamicMemoryWStream();
        using (var canvas = SKSvgCanvas.Create(SKRect.Create(width, height), svg))
        {
            // Disposing the SVG canvas is what closes the document.
            canvas.DrawPicture(picture);
        }

        using var data = svg.DetachAsData();
        AtomicFile.WriteAllText(svgPath, CrispImages(System.Text.Encoding.UTF8.GetString(data.AsSpan())));
    }

    /// <summary>
    /// The figure as a replayable picture. A plot settles its layout in its first render and, when that moves anything,
    /// draws itself a second time over the first; a dry run on a canvas that draws nothing settles it, so the picture holds
    /// each plot once (else the SVG would carry every element twice).
    /// </summary>
    private static SKPicture Record(int width, int height, string title, IReadOnlyList<Panel> panels)
    {
        using (var dryRun = new SKNoDrawCanvas(width, height))
        {
            Draw(dryRun, width, title, panels);
        }

        using var recorder = new SKPictureRecorder();
        Draw(recorder.BeginRecording(SKRect.Create(width, height)), width, title, panels);
        return recorder.EndRecording();
    }

    /// <summary>
    /// A heatmap is embedded as a bitmap with one pixel per cell; browsers smooth scaled bitmaps by default, which blurs
    /// the block edges the heatmap exists to show. Skia writes no rendering hint, so one is added to each image element.
    /// </summary>
    private static string CrispImages(string svg) =>
        svg.Replace("<image ", "<image style=\"image-rendering:optimizeSpeed;image-rendering:pixelated\" ", StringComparison.Ordinal);

    private static void Draw(SKCanvas canvas, int width, string title, IReadOnlyList<Panel> panels)
    {
        canvas.Clear(SKColors.White);
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        using (var font = new SKFont(Fonts.GetTypeface(FigureStyle.FontName, bold: true, italic: false, FontSpacing.Normal), FigureStyle.HeaderFontSize))
        {
            // Baseline placed so the cap height sits centred in the header strip.
            canvas.DrawText(title, width / 2f, (HeaderHeight + FigureStyle.HeaderFontSize * 0.7f) / 2f, SKTextAlign.Center, font, paint);
        }

        foreach (var panel in panels)
        {
            // A plot clears the canvas before drawing; clipping keeps that (and anything else) inside its own rect.
            canvas.Save();
            canvas.ClipRect(new SKRect(panel.Rect.Left, panel.Rect.Top, panel.Rect.Right, panel.Rect.Bottom));
            panel.Plot.Render(canvas, panel.Rect);
            canvas.Restore();
        }
    }
}
