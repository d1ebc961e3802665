namespace CondensationDsl.Reporting.Tests.Figures;

/// <summary>What a test can check on an image file without looking at it.</summary>
internal static class ImageFiles
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the IHDR chunk, which the PNG standard requires first (bytes 16–23, big-endian).</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 24 && bytes.AsSpan(0, 8).SequenceEqual(PngSignature), $"{path} is not a PNG");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return Report.TestPng.Size(bytes);
    }

    /// <summary>
    /// An SVG document as viewers read it: well-formed XML with an svg root, ids unique (figures are assembled from panels,
    /// each its own SVG document with ids of its own) and every reference (url(#…), href="#…") naming one of them.
    /// </summary>
    public static void AssertSvg(string path)
    {
        var text = File.ReadAllText(path).TrimStart();
        Assert.True(text.StartsWith("<?xml", StringComparison.Ordinal) || text.StartsWith("<svg", StringComparison.Ordinal), $"{path} does not start like an SVG");
        var document = System.Xml.Linq.XDocument.Parse(text);
        Assert.Equal("svg", document.Root!.Name.LocalName);
        var ids = document.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().ToList();
        Assert.True(ids.Count == ids.Distinct(StringComparer.Ordinal).Count(), $"{path} repeats an id");
        var references = System.Text.RegularExpressions.Regex.Matches(text, "(?:url\\(#|href=\"#)([^)\"]+)").Select(m => m.Groups[1].Value);
        Assert.All(references, id => Assert.Contains(id, ids));
    }
}
