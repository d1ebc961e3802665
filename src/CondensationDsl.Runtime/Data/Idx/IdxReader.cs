using System.Buffers.Binary;
using System.IO.Compression;

namespace CondensationDsl.Runtime.Data.Idx;

/// <summary>
/// Reads IDX files (http://yann.lecun.com/exdb/mnist/ describes the format), plain or gzip-compressed (recognized by
/// their content, not their name). Every way a file can disagree with its header is an <see cref="IdxFormatException"/>
/// naming the file: a wrong magic number, an unknown element type, a truncated header or body, bytes after the data.
/// </summary>
public static class IdxReader
{
    /// <summary>More dimensions than any IDX file in use has; a larger count means the file is not IDX.</summary>
    private const int MaxDimensions = 8;

    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads from <paramref name="stream"/>; <paramref name="path"/> names it in messages.</summary>
    public static IdxArray Read(Stream stream, string path)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffered = new BufferedStream(stream, 1 << 16);
        var first = new byte[2];
        var got = ReadFully(buffered, first);
        if (got < 2)
        {
            throw new IdxFormatException(path, $"the file has {got} byte{(got == 1 ? "" : "s")}; an IDX file starts with a 4-byte magic number.");
        }

        // gzip streams start with 1f 8b; IDX magic numbers with two zero bytes.
        var prefixed = new PrefixedStream(first, buffered);
        if (first[0] == 0x1f && first[1] == 0x8b)
        {
            using var gzip = new GZipStream(prefixed, CompressionMode.Decompress);
            return ReadIdx(gzip, path, compressed: true);
        }

        return ReadIdx(prefixed, path, compressed: false);
    }

    private static IdxArray ReadIdx(Stream stream, string path, bool compressed)
    {
        var where = compressed ? " (after gzip decompression)" : string.Empty;
        var magic = new byte[4];
        var got = ReadFully(stream, magic);
        if (got < 4)
        {
            throw new IdxFormatException(path, $"truncated header{where}: {got} of the 4 bytes of the magic number.");
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new IdxFormatException(path, $"wrong magic number 0x{Convert.ToHexString(magic)}{where}: an IDX file starts with two zero bytes, an element type and a dimension count (e.g. 0x00000803 for MNIST images).");
        }

        if (!Enum.IsDefined(typeof(IdxElementType), magic[2]))
        {
            throw new IdxFormatException(path, $"unknown element type 0x{magic[2]:X2} in the magic number 0x{Convert.ToHexString(magic)}; IDX types are 0x08 (unsigned byte), 0x09, 0x0B, 0x0C, 0x0D and 0x0E.");
        }

        var type = (IdxElementType)magic[2];
        var rank = magic[3];
        if (rank is 0 or > MaxDimensions)
        {
            throw new IdxFormatException(path, $"{rank} dimensions in the magic number 0x{Convert.ToHexString(magic)}; expected 1 to {MaxDimensions}.");
        }

        var sizes = new byte[4 * rank];
        got = ReadFully(stream, sizes);
        if (got < sizes.Length)
        {
            throw new IdxFormatException(path, $"truncated header{where}: {got} of the {sizes.Length} bytes of its {rank} dimension sizes.");
        }

        var dimensions = new int[rank];
        long elements = 1;
        for (var i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * i));
            if (dimensions[i] <= 0)
            {
                throw new IdxFormatException(path, $"dimension {i + 1} has size {dimensions[i]}; sizes must be positive.");
            }

            elements *= dimensions[i];
        }

        var length = elements * IdxArray.SizeOf(type);
        if (length > Array.MaxLength)
        {
            throw new IdxFormatException(path, $"its dimensions ({string.Join(" × ", dimensions)}) need {length} bytes, more than one array can hold.");
        }

        var data = new byte[length];
        got = ReadFully(stream, data);
        if (got < length)
        {
            throw new IdxFormatException(path, $"truncated{where}: the header announces {string.Join(" × ", dimensions)} elements of {IdxArray.SizeOf(type)} byte(s) = {length} bytes of data, the file has {got}.");
        }

        if (stream.ReadByte() >= 0)
        {
            throw new IdxFormatException(path, $"bytes after the {length} bytes of data its header ({string.Join(" × ", dimensions)}) announces{where}: not an IDX file, or two files joined.");
        }

        return new IdxArray(path, type, dimensions, data);
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>The two bytes already read to tell gzip from IDX, then the rest of the stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (position < prefix.Length && buffer.Length > 0)
            {
                var n = Math.Min(prefix.Length - position, buffer.Length);
                prefix.AsSpan(position, n).CopyTo(buffer);
                position += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
