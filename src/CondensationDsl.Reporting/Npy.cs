using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace CondensationDsl.Reporting;

/// <summary>
/// NumPy .npy format version 1.0 for float64 arrays in C order ('&lt;f8'), so `numpy.load` reads our arrays
/// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>Magic (6) + version (2) + header length (2).</summary>
    private const int PreambleLength = 10;

    /// <summary>NumPy aligns the data to 64 bytes so it can be memory-mapped; we do the same.</summary>
    private const int Alignment = 64;

    /// <summary>The header dictionary as NumPy writes it, e.g. "{'descr': '&lt;f8', 'fortran_order': False, 'shape': (100, 3), }".</summary>
    public static string HeaderDictionary(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return $"{{'descr': '<f8', 'fortran_order': False, 'shape': {ShapeTuple(shape)}, }}";
    }

    /// <summary>Magic, version 1.0, little-endian header length, and the header padded with spaces and ended by '\n'.</summary>
    public static byte[] Header(IReadOnlyList<int> shape)
    {
        var dictionary = HeaderDictionary(shape);
        var unpadded = PreambleLength + dictionary.Length + 1;
        var padding = (Alignment - (unpadded % Alignment)) % Alignment;
        var text = dictionary + new string(' ', padding) + "\n";
        if (text.Length > ushort.MaxValue)
        {
            throw new ArgumentException("The array has too many dimensions for an .npy version 1.0 header.", nameof(shape));
        }

        var result = new byte[PreambleLength + text.Length];
        Magic.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)text.Length);
        Encoding.ASCII.GetBytes(text, result.AsSpan(PreambleLength));
        return result;
    }

    /// <summary>The whole file: header, then the values as little-endian float64.</summary>
    public static byte[] Encode(IReadOnlyList<int> shape, ReadOnlySpan<double> data)
    {
        var count = ElementCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException($"Shape {ShapeTuple(shape)} holds {count} values but {data.Length} were given.", nameof(data));
        }

        var header = Header(shape);
        var result = new byte[header.Length + (8 * data.Length)];
        header.CopyTo(result, 0);
        var body = result.AsSpan(header.Length);
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(body.Slice(8 * i, 8), data[i]);
        }

        return result;
    }

    /// <summary>Reads a file written by <see cref="Encode"/> (or NumPy, for '&lt;f8' C-order arrays with a version 1.0 header).</summary>
    public static (int[] Shape, double[] Data) Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length < PreambleLength || !file[..6].SequenceEqual(Magic.AsSpan(0, 6)) || file[6] != 1)
        {
            throw new FormatException("Not an .npy version 1.0 file.");
        }

        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file.Slice(8, 2));
        if (file.Length < PreambleLength + headerLength)
        {
            throw new FormatException("The .npy header is truncated.");
        }

        var header = Encoding.ASCII.GetString(file.Slice(PreambleLength, headerLength));
        if (!header.Contains("'descr': '<f8'", StringComparison.Ordinal) || !header.Contains("'fortran_order': False", StringComparison.Ordinal))
        {
            throw new FormatException($"Only little-endian float64 C-order arrays are supported; header: {header.Trim()}");
        }

        var shape = ParseShape(header);
        var count = ElementCount(shape);
        var body = file[(PreambleLength + headerLength)..];
        if (body.Length != 8 * count)
        {
            throw new FormatException($"The .npy body holds {body.Length} bytes; shape {ShapeTuple(shape)} needs {8 * count}.");
        }

        var data = new double[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = BinaryPrimitives.ReadDoubleLittleEndian(body.Slice(8 * i, 8));
        }

        return (shape, data);
    }

    /// <summary>Python tuple syntax: "()", "(5,)", "(100, 3)".</summary>
    private static string ShapeTuple(IReadOnlyList<int> shape) =>
        shape.Count == 1
            ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : $"({string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})";

    private static int ElementCount(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Shape {ShapeTuple(shape)} has a negative dimension.", nameof(shape));
            }

            count *= dimension;
            if (count > Array.MaxLength)
            {
                throw new ArgumentException($"Shape {ShapeTuple(shape)} is too large.", nameof(shape));
            }
        }

        return (int)count;
    }

    private static int[] ParseShape(string header)
    {
        const string key = "'shape': (";
        var start = header.IndexOf(key, StringComparison.Ordinal);
        var end = start < 0 ? -1 : header.IndexOf(')', start);
        if (end < 0)
        {
            throw new FormatException($"The .npy header has no shape: {header.Trim()}");
        }

        var inner = header[(start + key.Length)..end];
        return inner.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture))
            .ToArray();
    }
}
