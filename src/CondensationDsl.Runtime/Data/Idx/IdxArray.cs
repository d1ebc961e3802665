using System.Buffers.Binary;

namespace CondensationDsl.Runtime.Data.Idx;

/// <summary>The element types of the IDX format (the third byte of the magic number).</summary>
public enum IdxElementType : byte
{
    UnsignedByte = 0x08,
    SignedByte = 0x09,
    Short = 0x0B,
    Int = 0x0C,
    Float = 0x0D,
    Double = 0x0E,
}

/// <summary>
/// One IDX file (the MNIST format): element type, dimensions and the data as stored (big-endian, row-major). The bytes
/// are kept as read, so 60 000 MNIST images take 47 MB rather than four or eight times that; <see cref="ValueAt"/> and
/// <see cref="CopyTo"/> decode on demand.
/// </summary>
public sealed class IdxArray
{
    internal IdxArray(string path, IdxElementType elementType, int[] dimensions, byte[] data)
    {
        Path = path;
        ElementType = elementType;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The file it was read from, for messages.</summary>
    public string Path { get; }

    public IdxElementType ElementType { get; }

    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The number of items: the first dimension.</summary>
    public int Count => Dimensions[0];

    /// <summary>The number of elements of one item: the product of the other dimensions (1 for labels).</summary>
    public int ItemSize => Dimensions.Skip(1).Aggregate(1, (product, d) => product * d);

    internal byte[] Data { get; }

    public static int SizeOf(IdxElementType type) => type switch
    {
        IdxElementType.UnsignedByte or IdxElementType.SignedByte => 1,
        IdxElementType.Short => 2,
        IdxElementType.Int or IdxElementType.Float => 4,
        IdxElementType.Double => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an IDX element type."),
    };

    /// <summary>Element <paramref name="index"/> (row-major over all dimensions) as a double.</summary>
    public double ValueAt(long index)
    {
        var size = SizeOf(ElementType);
        var bytes = Data.AsSpan(checked((int)(index * size)), size);
        return ElementType switch
        {
            IdxElementType.UnsignedByte => bytes[0],
            IdxElementType.SignedByte => (sbyte)bytes[0],
            IdxElementType.Short => BinaryPrimitives.ReadInt16BigEndian(bytes),
            IdxElementType.Int => BinaryPrimitives.ReadInt32BigEndian(bytes),
            IdxElementType.Float => BinaryPrimitives.ReadSingleBigEndian(bytes),
            _ => BinaryPrimitives.ReadDoubleBigEndian(bytes),
        };
    }

    /// <summary>Elements [start, start + destination.Length) as float32, each divided by <paramref name="divisor"/>.</summary>
    public void CopyTo(long start, Span<float> destination, float divisor = 1f)
    {
        if (ElementType == IdxElementType.UnsignedByte)
        {
            // The MNIST case, hot when a batch is assembled: a table of the 256 quotients, each correctly rounded
            // (multiplying by 1/divisor would round differently from the division it stands for).
            Span<float> quotients = stackalloc float[256];
            for (var v = 0; v < 256; v++)
            {
                quotients[v] = v / divisor;
            }

            var source = Data.AsSpan(checked((int)start), destination.Length);
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = quotients[source[i]];
            }

            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(ValueAt(start + i) / divisor);
        }
    }
}
