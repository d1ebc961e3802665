using System.Buffers.Binary;
using System.Text;
using CondensationDsl.Reporting.Figures;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// Every figure, grouped by kind, embedded as a base64 data URI (PNG, or the SVG when a PNG is missing) so report.html
/// is one file that opens anywhere, offline, and survives being mailed or archived without the run folder.
/// </summary>
internal static class FigureSection
{
    // Kinds in reading order: the paper's picture first, then the per-snapshot files, then the curves.
    private static readonly (string Kind, string Heading, bool Wide)[] KnownKinds =
    [
        ("features", "Features: orientation θ and amplitude A of every neuron", true),
        ("features-snapshot", "Features, one file per snapshot", false),
        ("cosine", "Cosine similarity of neurons' input weights", false),
        ("cosine-outputs", "Cosine similarity of neurons' outputs on the data", false),
        ("clusters", "Clusters and effective width", false),
        ("loss", "Loss", false),
    ];

    public static string Render(string runDirectory, IReadOnlyList<FigureFile> figures)
    {
        var html = new StringBuilder();
        html.Append("<section id=\"figures\">\n<h2>Figures</h2>\n");
        if (figures.Count == 0)
        {
            html.Append("<p class=\"note\">No figures.</p>\n</section>\n");
            return html.ToString();
        }

        var known = KnownKinds.Select(k => k.Kind).ToHashSet(StringComparer.Ordinal);
        var groups = KnownKinds
            .Concat(figures.Select(f => f.Kind).Where(k => !known.Contains(k)).Distinct(StringComparer.Ordinal).Select(k => (Kind: k, Heading: k, Wide: false)))
            .Select(k => (k.Heading, k.Wide, Figures: figures.Where(f => f.Kind == k.Kind).ToArray()))
            .Where(g => g.Figures.Length > 0);
        foreach (var (heading, wide, members) in groups)
        {
            html.Append("<h3>").Append(Html.Escape(heading)).Append("</h3>\n<div class=\"figures").Append(wide ? " wide" : string.Empty).Append("\">\n");
            foreach (var figure in members)
            {
                AppendFigure(html, runDirectory, figure);
            }

            html.Append("</div>\n");
        }

        html.Append("</section>\n");
        return html.ToString();
    }

    private static void AppendFigure(StringBuilder html, string runDirectory, FigureFile figure)
    {
        // Captions are one line by contract; a stray line break in one must not break the layout.
        var caption = string.Join(' ', (figure.Caption ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        html.Append("<figure data-kind=\"").Append(Html.Escape(figure.Kind)).Append("\" data-name=\"").Append(Html.Escape(figure.Name)).Append("\">\n");
        var png = Resolve(runDirectory, figure.PngPath);
        var svg = Resolve(runDirectory, figure.SvgPath);
        if (png is not null)
        {
            var bytes = File.ReadAllBytes(png);
            html.Append("<img alt=\"").Append(Html.Escape(caption)).Append('"');
            if (PngSize(bytes) is var (width, height))
            {
                html.Append(" width=\"").Append(width).Append("\" height=\"").Append(height).Append('"');
            }

            html.Append(" src=\"data:image/png;base64,");
            AppendBase64(html, bytes);
            html.Append("\">\n");
        }
        else if (svg is not null)
        {
            // As an <img>, an SVG cannot run script or reach out, whatever it contains; inlined, it could.
            html.Append("<img alt=\"").Append(Html.Escape(caption)).Append("\" src=\"data:image/svg+xml;base64,")
                .Append(Convert.ToBase64String(File.ReadAllBytes(svg))).Append("\">\n");
        }
        else
        {
            html.Append("<div class=\"missing\">Figure file missing: ").Append(Html.Escape(figure.PngPath)).Append("</div>\n");
        }

        html.Append("<figcaption>").Append(Html.Escape(caption)).Append("</figcaption>\n</figure>\n");
    }

    /// <summary>
    /// Base64 straight into the page through a pooled buffer: a figure's base64 string would be a large-object allocation
    /// each, and those trigger full collections, which cost more than the encoding.
    /// </summary>
    private static void AppendBase64(StringBuilder html, byte[] bytes)
    {
        var buffer = System.Buffers.ArrayPool<char>.Shared.Rent(((bytes.Length + 2) / 3) * 4);
        try
        {
            if (!Convert.TryToBase64Chars(bytes, buffer, out var written))
            {
                throw new InvalidOperationException("The base64 buffer is too small.");
            }

            html.Append(buffer, 0, written);
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(buffer);
        }
    }

    // FigureFile paths may be absolute or relative to the run folder.
    private static string? Resolve(string runDirectory, string? path) =>
        string.IsNullOrEmpty(path) ? null : Path.Combine(runDirectory, path) is var full && File.Exists(full) ? full : null;

    // The IHDR chunk right after the 8-byte signature holds width and height; they let the browser lay out before decoding.
    private static (int Width, int Height)? PngSize(byte[] png) =>
        png.Length >= 24 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G'
            ? (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)))
            : null;
}
