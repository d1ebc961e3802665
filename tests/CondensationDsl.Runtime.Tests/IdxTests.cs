using System.Buffers.Binary;
using CondensationDsl.Runtime.Data.Idx;

using static CondensationDsl.Runtime.Tests.IdxFiles;

namespace CondensationDsl.Runtime.Tests;

/// <summary>IDX (MNIST-format) files written by the tests themselves: well-formed, gzip, and every malformation named.</summary>
public sealed class IdxTests : IDisposable
{
    public const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    private readonly string directory = Directory.CreateTempSubdirectory("cond-idx-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, byte[] contents)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, contents);
        return path;
    }

    /// <summary>Three 2×3 images with pixel values 0..17 and labels 2, 0, 1.</summary>
    private (string Images, string Labels) SmallPair(bool gzip = false)
    {
        var images = Idx(0x08, [3, 2, 3], [.. Enumerable.Range(0, 18).Select(v => (byte)v)]);
        var labels = Idx(0x08, [3], [2, 0, 1]);
        return gzip
            ? (Write("images.gz", Gzip(images)), Write("labels.gz", Gzip(labels)))
            : (Write("images", images), Write("labels", labels));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_pair_of_files_loads_with_scaled_pixels_and_labels(bool gzip)
    {
        var (images, labels) = SmallPair(gzip);
        var data = LabelledImages.Load(images, labels);
        Assert.Equal(3, data.Count);
        Assert.Equal((1, 2, 3), (data.Channels, data.Rows, data.Columns));
        Assert.Equal([2, 0, 1], data.Labels);
        Assert.Equal(3, data.Classes);
        var pixels = new float[2 * 6];
        data.CopyImages(1, 2, pixels);
        Assert.Equal(6f / 255f, pixels[0]);
        Assert.Equal(17f / 255f, pixels[^1]);
    }

    [Fact]
    public void Other_element_types_decode_big_endian()
    {
        var body = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(body, 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(body.AsSpan(4), -2f);
        var array = IdxReader.Read(Write("floats", Idx(0x0D, [2], body)));
        Assert.Equal(IdxElementType.Float, array.ElementType);
        Assert.Equal([1.5, -2.0], new[] { array.ValueAt(0), array.ValueAt(1) });

        var shorts = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(shorts, -300);
        Assert.Equal(-300, IdxReader.Read(Write("short", Idx(0x0B, [1], shorts))).ValueAt(0));
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "empty", [], "the file has 0 bytes" },
        { "wrong-magic", [0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 7], "wrong magic number 0x12340801" },
        { "unknown-type", [0, 0, 0x07, 0x01, 0, 0, 0, 1, 7], "unknown element type 0x07" },
        { "no-dimensions", [0, 0, 0x08, 0x00], "0 dimensions" },
        { "truncated-header", [0, 0, 0x08, 0x03, 0, 0, 0, 2, 0, 0], "truncated header: 6 of the 12 bytes" },
        { "truncated-body", Idx(0x08, [2, 2, 2], [1, 2, 3, 4, 5]), "announces 2 × 2 × 2 elements of 1 byte(s) = 8 bytes of data, the file has 5" },
        { "zero-size", Idx(0x08, [0], []), "dimension 1 has size 0" },
        { "trailing-bytes", Idx(0x08, [2], [1, 2, 3]), "bytes after the 2 bytes of data" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_are_refused_with_the_file_named(string name, byte[] contents, string problem)
    {
        var path = Write(name, contents);
        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Equal(path, error.Path);
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_truncated_gzip_body_is_reported_as_truncated()
    {
        var whole = Gzip(Idx(0x08, [100, 28, 28], new byte[100 * 28 * 28]));
        var path = Write("cut.gz", whole[..(whole.Length / 2)]);
        var error = Assert.ThrowsAny<Exception>(() => IdxReader.Read(path));
        // A cut gzip stream ends early (truncated data) or fails its own framing; either way the file is named.
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(directory, "absent-images-idx3-ubyte");
        var error = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Image_and_label_counts_must_match()
    {
        var images = Write("images", Idx(0x08, [3, 2, 2], new byte[12]));
        var labels = Write("labels", Idx(0x08, [2], [0, 1]));
        var error = Assert.Throws<IdxFormatException>(() => LabelledImages.Load(images, labels));
        Assert.Equal(labels, error.Path);
        Assert.Contains($"2 labels for the 3 images of {images}", error.Message);
    }

    [Fact]
    public void Labels_and_images_must_have_the_right_shapes()
    {
        var images = Write("images", Idx(0x08, [3, 4], new byte[12]));
        var labels = Write("labels", Idx(0x08, [3], [0, 1, 2]));
        Assert.Contains("expected n × rows × columns", Assert.Throws<IdxFormatException>(() => LabelledImages.Load(images, labels)).Message);

        var goodImages = Write("images3", Idx(0x08, [3, 2, 2], new byte[12]));
        var floatLabels = Write("labels-float", Idx(0x0D, [3], new byte[12]));
        Assert.Contains("class labels are integers", Assert.Throws<IdxFormatException>(() => LabelledImages.Load(goodImages, floatLabels)).Message);
    }

    [FashionMnistFact]
    public void Fashion_mnist_from_the_debian_package_loads()
    {
        var images = Path.Combine(FashionMnist, "t10k-images-idx3-ubyte.gz");
        var data = LabelledImages.Load(images, Path.Combine(FashionMnist, "t10k-labels-idx1-ubyte.gz"));
        Assert.Equal(10_000, data.Count);
        Assert.Equal((1, 28, 28), (data.Channels, data.Rows, data.Columns));
        Assert.Equal(10, data.Classes);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, data.Labels.Count(label => label == c)));
    }
}

/// <summary>Runs where Debian's dataset-fashion-mnist is installed (CI installs it); skipped elsewhere, saying why.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!File.Exists(Path.Combine(IdxTests.FashionMnist, "t10k-images-idx3-ubyte.gz")))
        {
            Skip = $"Real-data test: {IdxTests.FashionMnist} is not installed (apt-get install dataset-fashion-mnist).";
        }
    }
}
