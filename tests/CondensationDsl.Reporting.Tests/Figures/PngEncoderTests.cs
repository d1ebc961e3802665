using System.IO.Compression;
using CondensationDsl.Reporting.Figures;
using SkiaSharp;

namespace CondensationDsl.Reporting.Tests.Figures;

public class PngEncoderTests
{
    /// <summary>Odd sizes (a row is not a whole number of SIMD vectors) and padded rows; every byte value occurs.</summary>
    [Theory]
    [InlineData(1, 1, 4)]
    [InlineData(37, 5, 37 * 4)]
    [InlineData(13, 9, 13 * 4 + 12)]
    public void Skia_decodes_exactly_the_pixels_written(int width, int height, int rowBytes)
    {
        var random = new Random(width * 1000 + height);
        var rgba = new byte[(height * rowBytes) + 3];
        random.NextBytes(rgba);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                rgba[(y * rowBytes) + (x * 4) + 3] = 255; // opaque, as every figure is
            }
        }

        using var file = new MemoryStream();
        PngEncoder.Write(file, rgba, width, height, rowBytes);

        using var decoded = SKBitmap.Decode(file.ToArray());
        Assert.NotNull(decoded);
        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var at = (y * rowBytes) + (x * 4);
                Assert.Equal(new SKColor(rgba[at], rgba[at + 1], rgba[at + 2], 255), decoded.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void Chunks_carry_the_crc_the_standard_asks_for_and_rows_use_the_up_filter()
    {
        using var file = new MemoryStream();
        PngEncoder.Write(file, [10, 20, 30, 255, 40, 50, 60, 255, 11, 22, 33, 255, 44, 55, 66, 255], 2, 2, 8);
        var bytes = file.ToArray();

        var chunks = new List<(string Type, byte[] Data)>();
        for (var at = 8; at < bytes.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            var typeAndData = bytes.AsSpan(at + 4, 4 + length);
            var crc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 8 + length));
            Assert.Equal(ReferenceCrc(typeAndData), crc);
            chunks.Add((System.Text.Encoding.ASCII.GetString(typeAndData[..4]), typeAndData[4..].ToArray()));
            at += 12 + length;
        }

        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(c => c.Type));
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        // Filter byte 2 (Up) before each row; the second row holds its differences to the first.
        Assert.Equal([2, 10, 20, 30, 255, 40, 50, 60, 255, 2, 1, 2, 3, 0, 4, 5, 6, 0], inflated.ToArray());
    }

    /// <summary>CRC-32 bit by bit (no table), as the PNG standard's sample code computes it.</summary>
    private static uint ReferenceCrc(ReadOnlySpan<byte> bytes)
    {
        var crc = uint.MaxValue;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
