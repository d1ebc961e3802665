using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
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
        ("aligned", "Aligned pairs: the block measure of the cosine heatmaps", false),
        ("loss", "Loss", false),
        ("accuracy", "Accuracy", false),
    ];

    /// <summary>The section as text (tests, and pages built in memory); <see cref="Write"/> is what report.html gets.</summary>
    public static string Render(string runDirectory, IReadOnlyList<FigureFile> figures)
    {
        using var buffer = new MemoryStream();
        Write(buffer, runDirectory, figures);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Writes the section to <paramref name="output"/> as UTF-8. Written as bytes, not built as a string: the figures are
    /// most of the page (1.3 MB of PNG on figure 1), and base64 straight into UTF-8 skips the page-sized UTF-16 copies a
    /// string would take on the way to the file, at the run's end, when every millisecond counts.
    /// </summary>
    public static void Write(Stream output, string runDirectory, IReadOnlyList<FigureFile> figures)
    {
        ArgumentNullException.ThrowIfNull(output);
        var html = new Utf8Text(output);
        html.Append("<section id=\"figures\">\n<h2>Figures</h2>\n");
        if (figures.Count == 0)
        {
            html.Append("<p class=\"note\">No figures.</p>\n</section>\n");
            return;
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
    }

    private static void AppendFigure(Utf8Text html, string runDirectory, FigureFile figure)
    {
        // Captions are one line by contract; a stray line break in one must not break the layout.
        var caption = string.Join(' ', (figure.Caption ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        html.Append("<figure data-kind=\"").Append(Html.Escape(figure.Kind)).Append("\" data-name=\"").Append(Html.Escape(figure.Name)).Append("\">\n");
        var png = Resolve(runDirectory, figure.PngPath);
        var svg = Resolve(runDirectory, figure.SvgPath);
        if (png is not null)
        {
            var bytes = File.ReadAllBytes(png);
            html.Append("<img alt=\"").Append(Html.Escape(caption)).Append("\"");
            if (PngSize(bytes) is var (width, height))
            {
                html.Append(" width=\"").Append(width.ToString(CultureInfo.InvariantCulture)).Append("\" height=\"")
                    .Append(height.ToString(CultureInfo.InvariantCulture)).Append("\"");
            }

            html.Append(" src=\"data:image/png;base64,").AppendBase64(bytes).Append("\">\n");
        }
        else if (svg is not null)
        {
            // As an <img>, an SVG cannot run script or reach out, whatever it contains; inlined, it could.
            html.Append("<img alt=\"").Append(Html.Escape(caption)).Append("\" src=\"data:image/svg+xml;base64,")
                .AppendBase64(File.ReadAllBytes(svg)).Append("\">\n");
        }
        else
        {
            html.Append("<div class=\"missing\">Figure file missing: ").Append(Html.Escape(figure.PngPath)).Append("</div>\n");
        }

        html.Append("<figcaption>").Append(Html.Escape(caption)).Append("</figcaption>\n</figure>\n");
    }

    /// <summary>Text and base64 written to a stream as UTF-8, through pooled buffers (a figure's base64 as one array would be a large-object allocation each, and those trigger full collections).</summary>
    private readonly struct Utf8Text(Stream output)
    {
        public Utf8Text Append(string text)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
            try
            {
                output.Write(buffer, 0, Encoding.UTF8.GetBytes(text, buffer));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return this;
        }

        public Utf8Text AppendBase64(byte[] bytes)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
            try
            {
                if (Base64.EncodeToUtf8(bytes, buffer, out _, out var written) != OperationStatus.Done)
                {
                    throw new InvalidOperationException("The base64 buffer is too small.");
                }

                output.Write(buffer, 0, written);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return this;
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
