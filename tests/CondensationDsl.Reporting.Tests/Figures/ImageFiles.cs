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

    public static void AssertSvg(string path)
    {
        var text = File.ReadAllText(path).TrimStart();
        Assert.True(text.StartsWith("<?xml", StringComparison.Ordinal) || text.StartsWith("<svg", StringComparison.Ordinal), $"{path} does not start like an SVG");
        Assert.Contains("</svg>", text, StringComparison.Ordinal);
    }
}
