using System.Buffers.Binary;
using System.Text;

namespace CondensationDsl.Reporting.Tests;

public class NpyTests
{
    [Theory]
    [InlineData(new[] { 100, 3 }, "{'descr': '<f8', 'fortran_order': False, 'shape': (100, 3), }")]
    [InlineData(new[] { 50, 50 }, "{'descr': '<f8', 'fortran_order': False, 'shape': (50, 50), }")]
    [InlineData(new[] { 7 }, "{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }")]
    [InlineData(new int[0], "{'descr': '<f8', 'fortran_order': False, 'shape': (), }")]
    [InlineData(new[] { 2, 3, 4 }, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 4), }")]
    public void HeaderDictionaryMatchesNumPy(int[] shape, string expected) => Assert.Equal(expected, Npy.HeaderDictionary(shape));

    [Fact]
    public void HeaderBytesForHundredByThree()
    {
        var header = Npy.Header([100, 3]);

        // 10 bytes of preamble + 61-character dictionary + padding + '\n' = 128: the next multiple of 64 above 72.
        var dictionary = "{'descr': '<f8', 'fortran_order': False, 'shape': (100, 3), }";
        var expected = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes(dictionary + new string(' ', 128 - 10 - dictionary.Length - 1) + "\n"));
        Assert.Equal(expected.ToArray(), header);
    }

    [Theory]
    [InlineData(new[] { 100, 3 })]
    [InlineData(new[] { 1000, 1000 })]
    [InlineData(new[] { 5 })]
    [InlineData(new int[0])]
    public void HeaderIsPaddedToSixtyFourBytes(int[] shape)
    {
        var header = Npy.Header(shape);
        Assert.Equal(0, header.Length % 64);
        Assert.Equal(header.Length - 10, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8)));
        Assert.Equal((byte)'\n', header[^1]);
        Assert.Equal((byte)'}', header.AsSpan(10).ToArray().Reverse().SkipWhile(b => b is (byte)' ' or (byte)'\n').First());
    }

    [Fact]
    public void BodyIsLittleEndianFloat64InCOrder()
    {
        double[] data = [1.5, -2, double.NaN, 1e-300, double.PositiveInfinity, 0];
        var file = Npy.Encode([2, 3], data);
        var header = Npy.Header([2, 3]);
        Assert.Equal(header.Length + 48, file.Length);
        for (var i = 0; i < data.Length; i++)
        {
            Assert.Equal(data[i], BinaryPrimitives.ReadDoubleLittleEndian(file.AsSpan(header.Length + (8 * i), 8)));
        }

        var (shape, decoded) = Npy.Decode(file);
        Assert.Equal([2, 3], shape);
        Assert.Equal(data, decoded);
    }

    [Fact]
    public void ShapeMustMatchData() =>
        Assert.Throws<ArgumentException>(() => Npy.Encode([2, 2], [1.0, 2.0, 3.0]));
}
