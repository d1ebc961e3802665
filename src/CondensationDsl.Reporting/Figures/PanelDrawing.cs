using ScottPlot;
using SkiaSharp;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// One plot drawn once, in its own coordinates, into what a figure is assembled from: a picture to replay, its SVG elements
/// and, for a panel that goes into several figures, its pixels. A figure places panels
/// (<see cref="FigureCanvas.Save(string, string, int, int, string, IReadOnlyList{PlacedPanel})"/>), so a panel shown in
/// several figures, or drawn before the figure that holds it can be, is drawn only once (<see cref="PanelCache"/>).
/// </summary>
internal sealed class PanelDrawing : IDisposable
{
    private readonly SKPicture picture;
    private readonly SKImage? pixels;

    private PanelDrawing(int width, int height, SKPicture picture, SKImage? pixels, string svgBody)
    {
        Width = width;
        Height = height;
        this.picture = picture;
        this.pixels = pixels;
        SvgBody = svgBody;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The elements of the panel's own SVG document (without its outer svg element), in panel coordinates.</summary>
    public string SvgBody { get; }

    /// <summary>
    /// Draws <paramref name="plot"/> filling a <paramref name="width"/> × <paramref name="height"/> panel; with
    /// <paramref name="keepPixels"/> also rasterizes it once, so each figure that holds it copies pixels instead of
    /// drawing it again (for a panel of several figures).
    /// </summary>
    public static PanelDrawing Draw(Plot plot, int width, int height, bool keepPixels = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);

        // The plot is drawn once, into a picture both formats replay: ScottPlot's layout and drawing are then paid once.
        var picture = Record(plot, width, height);
        SKImage? pixels = null;
        try
        {
            pixels = keepPixels ? Rasterize(picture, width, height) : null;
            return new PanelDrawing(width, height, picture, pixels, SvgDocument.Body(SvgDocument.Write(width, height, canvas => canvas.DrawPicture(picture))));
        }
        catch
        {
            pixels?.Dispose();
            picture.Dispose();
            throw;
        }
    }

    /// <summary>Draws the plot <paramref name="build"/> makes, and disposes of the plot.</summary>
    public static PanelDrawing Draw(Func<Plot> build, int width, int height, bool keepPixels = false)
    {
        using var plot = build();
        return Draw(plot, width, height, keepPixels);
    }

    /// <summary>Draws the panel with its top left corner at (<paramref name="left"/>, <paramref name="top"/>) of <paramref name="canvas"/>.</summary>
    public void DrawOn(SKCanvas canvas, int left, int top)
    {
        if (pixels is not null)
        {
            canvas.DrawImage(pixels, left, top);
            return;
        }

        canvas.Save();
        canvas.Translate(left, top);
        canvas.ClipRect(SKRect.Create(Width, Height));
        canvas.DrawPicture(picture);
        canvas.Restore();
    }

    public void Dispose()
    {
        pixels?.Dispose();
        picture.Dispose();
    }

    /// <summary>
    /// The plot as a replayable picture. A plot settles its layout in its first render and, when that moves anything,
    /// draws itself a second time over the first; a dry run on a canvas that draws nothing settles it, so the picture holds
    /// the plot once (else the SVG would carry every element twice).
    /// </summary>
    private static SKPicture Record(Plot plot, int width, int height)
    {
        var rect = new PixelRect(0, width, height, 0);
        using (var dryRun = new SKNoDrawCanvas(width, height))
        {
            plot.Render(dryRun, rect);
        }

        using var recorder = new SKPictureRecorder();
        var canvas = recorder.BeginRecording(SKRect.Create(width, height));
        // A plot clears the canvas before drawing; clipping keeps that (and anything else) inside the panel.
        canvas.ClipRect(SKRect.Create(width, height));
        plot.Render(canvas, rect);
        return recorder.EndRecording();
    }

    private static SKImage Rasterize(SKPicture picture, int width, int height)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}×{height} surface.");
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.DrawPicture(picture);
        return surface.Snapshot();
    }
}
