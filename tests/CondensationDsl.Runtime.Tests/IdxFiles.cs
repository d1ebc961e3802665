using System.Buffers.Binary;
using System.IO.Compression;

namespace CondensationDsl.Runtime.Tests;

/// <summary>MNIST-format files written by the tests themselves (no download, any shape, deliberately broken ones too).</summary>
internal static class IdxFiles
{
    /// <summary>An IDX file: magic 00 00 type rank, big-endian sizes, then <paramref name="body"/>.</summary>
    public static byte[] Idx(byte type, int[] dimensions, byte[] body)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dimensions.Length };
        foreach (var d in dimensions)
        {
            var size = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(size, d);
            bytes.AddRange(size);
        }

        bytes.AddRange(body);
        return [.. bytes];
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
