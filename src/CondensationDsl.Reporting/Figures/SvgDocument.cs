using SkiaSharp;

namespace CondensationDsl.Reporting.Figures;

/// <summary>SVG text through Skia's SVG canvas, and the two edits a figure assembled from panels needs.</summary>
internal static partial class SvgDocument
{
    /// <summary>The SVG document of a <paramref name="width"/> × <paramref name="height"/> canvas after <paramref name="draw"/>.</summary>
    public static string Write(int width, int height, Action<SKCanvas> draw)
    {
        // A native memory stream: with a .NET stream Skia calls back into managed code for every small write, which made
        // a features panel's SVG about five times slower to write.
        using var svg = new SKDynamicMemoryWStream();
        using (var canvas = SKSvgCanvas.Create(SKRect.Create(width, height), svg))
        {
            // Disposing the SVG canvas is what closes the document.
            draw(canvas);
        }

        using var data = svg.DetachAsData();
        return CrispImages(System.Text.Encoding.UTF8.GetString(data.AsSpan()));
    }

    /// <summary>What lies between the document's outer &lt;svg …&gt; and &lt;/svg&gt;.</summary>
    public static string Body(string document)
    {
        var open = document.IndexOf("<svg", StringComparison.Ordinal);
        var start = open < 0 ? -1 : document.IndexOf('>', open);
        var end = document.LastIndexOf("</svg>", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException("SkiaSharp wrote an SVG document without an svg element.");
        }

        return document[(start + 1)..end];
    }

    /// <summary>
    /// <paramref name="document"/> with each panel's elements added at the end, each in a nested svg element at its place
    /// (which also clips it to its rect). Each panel's ids (and the references to them) are renamed p&lt;panel&gt;_&lt;n&gt; in the
    /// order they occur: ids of different panels must not collide, and Skia draws its ids from process-wide counters, so
    /// the same figure drawn in another process (`cond report`) would otherwise get other ids.
    /// </summary>
    public static string Assemble(string document, IReadOnlyList<PlacedPanel> panels)
    {
        var end = document.LastIndexOf("</svg>", StringComparison.Ordinal);
        if (end < 0)
        {
            throw new InvalidOperationException("SkiaSharp wrote an SVG document without an svg element.");
        }

        var text = new System.Text.StringBuilder(document.Length + panels.Sum(p => p.Drawing.SvgBody.Length + 200));
        text.Append(document, 0, end);
        for (var i = 0; i < panels.Count; i++)
        {
            var (drawing, left, top) = panels[i];
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"<svg x=\"{left}\" y=\"{top}\" width=\"{drawing.Width}\" height=\"{drawing.Height}\">");
            text.Append(RenameIds(drawing.SvgBody, $"p{i}_"));
            text.Append("</svg>\n");
        }

        text.Append(document, end, document.Length - end);
        return text.ToString();
    }

    private static string RenameIds(string body, string prefix)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        return IdOrReference().Replace(body, match =>
        {
            var id = match.Groups["id"].Value;
            if (!names.TryGetValue(id, out var name))
            {
                name = prefix + (names.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                names.Add(id, name);
            }

            return match.Groups["lead"].Value + name;
        });
    }

    /// <summary>
    /// An id's definition or a reference to it, as Skia writes them: id="…", "url(#…)", xlink:href="#…". Each starts an
    /// attribute value (after a quote), which text content cannot do: there a quote is written &amp;quot;.
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex("(?<lead>\\bid=\"|=\"url\\(#|href=\"#)(?<id>[^\")]+)")]
    private static partial System.Text.RegularExpressions.Regex IdOrReference();

    /// <summary>
    /// A heatmap is embedded as a bitmap with one pixel per cell; browsers smooth scaled bitmaps by default, which blurs
    /// the block edges the heatmap exists to show. Skia writes no rendering hint, so one is added to each image element.
    /// </summary>
    private static string CrispImages(string svg) =>
        svg.Replace("<image ", "<image style=\"image-rendering:optimizeSpeed;image-rendering:pixelated\" ", StringComparison.Ordinal);
}
