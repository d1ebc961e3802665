using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CondensationDsl.Reporting.Tests.Report;

/// <summary>
/// Just enough PNG for the tests, with no imaging library: write 8-bit RGB images as figure stand-ins, and read 8-bit
/// RGB/RGBA non-interlaced images (what Chromium's screenshots are) to count their colours.
/// </summary>
internal static class TestPng
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    public static byte[] Encode(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                raw.Write([r, g, b]);
            }
        }

        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(raw.ToArray());
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        var png = new MemoryStream();
        png.Write(Signature);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A test image: a colour gradient with a diagonal band, different for each <paramref name="seed"/>.</summary>
    public static byte[] Gradient(int width, int height, int seed) =>
        Encode(width, height, (x, y) => ((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x + y + seed * 40) % 256)));

    public static (int Width, int Height) Size(byte[] png) =>
        (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

    /// <summary>The number of distinct colours (RGBA) in the image.</summary>
    public static int DistinctColours(byte[] png)
    {
        var (width, height, channels, pixels) = Decode(png);
        var colours = new HashSet<int>();
        for (var i = 0; i < width * height; i++)
        {
            var p = i * channels;
            colours.Add(pixels[p] << 24 | pixels[p + 1] << 16 | pixels[p + 2] << 8 | (channels == 4 ? pixels[p + 3] : 255));
        }

        return colours.Count;
    }

    public static (int Width, int Height, int Channels, byte[] Pixels) Decode(byte[] png)
    {
        Assert.True(png.AsSpan(0, 8).SequenceEqual(Signature), "not a PNG file");
        int width = 0, height = 0, channels = 0;
        var idat = new MemoryStream();
        for (var at = 8; at + 8 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.True(data[8] == 8 && data[12] == 0, "only 8-bit non-interlaced PNGs are supported here");
                channels = data[9] switch { 2 => 3, 6 => 4, _ => throw new NotSupportedException($"PNG colour type {data[9]}") };
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            at += 12 + length;
        }

        var raw = new MemoryStream();
        using (var z = new ZLibStream(new MemoryStream(idat.ToArray()), CompressionMode.Decompress))
        {
            z.CopyTo(raw);
        }

        return (width, height, channels, Unfilter(raw.ToArray(), width, height, channels));
    }

    // PNG filters (spec §9): each row starts with a filter type applied bytewise against the left, upper and upper-left bytes.
    private static byte[] Unfilter(byte[] data, int width, int height, int bpp)
    {
        var stride = width * bpp;
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = data[y * (stride + 1)];
            var src = y * (stride + 1) + 1;
            var row = y * stride;
            for (var x = 0; x < stride; x++)
            {
                int a = x >= bpp ? pixels[row + x - bpp] : 0;
                int b = y > 0 ? pixels[row - stride + x] : 0;
                int c = x >= bpp && y > 0 ? pixels[row - stride + x - bpp] : 0;
                var predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new NotSupportedException($"PNG filter {filter}"),
                };
                pixels[row + x] = (byte)(data[src + x] + predictor);
            }
        }

        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = 0xFFFFFFFFu;
        foreach (var b in typed)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        BinaryPrimitives.WriteUInt32BigEndian(length, crc ^ 0xFFFFFFFFu);
        png.Write(length);
    }
}
