using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Data.Idx;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;

using static CondensationDsl.Runtime.Tests.IdxFiles;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// MNIST-format data end to end in the runtime: IDX files written here (a bright bar on the left, in the middle or on the
/// right of an 8×8 image is the class) become a dataset, and a one-layer CNN with max pooling learns them with the
/// cross-entropy loss.
/// </summary>
public sealed class ImageClassificationTests : IDisposable
{
    private const int Count = 60;
    private static readonly ImageShape Shape = new(1, 8, 8);
    private readonly string directory = Directory.CreateTempSubdirectory("cond-images-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Images with a vertical bar in column band 0 (columns 0-1), 1 (3-4) or 2 (6-7), noise elsewhere; gzipped.</summary>
    private (string Images, string Labels) WriteBars()
    {
        var random = new System.Random(7);
        var pixels = new byte[Count * Shape.Length];
        var labels = new byte[Count];
        for (var n = 0; n < Count; n++)
        {
            labels[n] = (byte)(n % 3);
            for (var i = 0; i < 64; i++)
            {
                var column = i % 8;
                var inBar = column / 3 == labels[n] && column % 3 != 2;
                pixels[(n * 64) + i] = (byte)(inBar ? 200 + random.Next(56) : random.Next(60));
            }
        }

        var images = Path.Combine(directory, "bars-images-idx3-ubyte.gz");
        var labelsPath = Path.Combine(directory, "bars-labels-idx1-ubyte.gz");
        File.WriteAllBytes(images, Gzip(Idx(0x08, [Count, 8, 8], pixels)));
        File.WriteAllBytes(labelsPath, Gzip(Idx(0x08, [Count], labels)));
        return (images, labelsPath);
    }

    [Fact]
    public void Idx_files_become_rows_of_pixels_in_0_1_with_their_labels_and_take_keeps_the_first()
    {
        var (images, labels) = WriteBars();
        var all = Dataset.Materialize(new IdxDataSpec("train", images, labels, 0, Shape), seed: 1);
        Assert.Equal((Count, 64), (all.Count, all.Dimension));
        Assert.All(all.InputsDouble, v => Assert.InRange(v, 0, 1));
        Assert.Equal([0.0, 1, 2, 0], all.TargetsDouble.Take(4));

        var some = Dataset.Materialize(new IdxDataSpec("train", images, labels, 10, Shape), seed: 1);
        Assert.Equal(10, some.Count);
        Assert.Equal(all.Inputs.Take(640), some.Inputs);

        var wrong = Assert.Throws<IdxFormatException>(() => Dataset.Materialize(new IdxDataSpec("train", images, labels, 0, new ImageShape(1, 28, 28)), seed: 1));
        Assert.Contains(images, wrong.Message);
    }

    /// <summary>
    /// shuffle: true takes a random subset, drawn from the stream "data/&lt;name&gt;" of the seed: the same for a seed, another for
    /// another seed, each image still with its own label; mean and std standardize the pixels.
    /// </summary>
    [Fact]
    public void A_shuffled_take_is_a_seeded_random_subset_and_standardization_applies()
    {
        var (images, labels) = WriteBars();
        var all = Dataset.Materialize(new IdxDataSpec("train", images, labels, 0, Shape), seed: 1);
        var spec = new IdxDataSpec("train", images, labels, 12, Shape) { Shuffle = true };
        var first = Dataset.Materialize(spec, seed: 1);
        Assert.Equal(first.Inputs, Dataset.Materialize(spec, seed: 1).Inputs);
        Assert.NotEqual(first.Inputs, Dataset.Materialize(spec, seed: 2).Inputs);
        Assert.NotEqual(all.Inputs.Take(12 * 64), first.Inputs);
        var rows = Enumerable.Range(0, all.Count).Select(i => all.Inputs.AsSpan(i * 64, 64).ToArray()).ToArray();
        var chosen = new HashSet<int>();
        for (var r = 0; r < first.Count; r++)
        {
            var source = Array.FindIndex(rows, row => row.AsSpan().SequenceEqual(first.Inputs.AsSpan(r * 64, 64)));
            Assert.True(source >= 0, $"row {r} is not an image of the file");
            Assert.Equal(all.Targets[source], first.Targets[r]);
            chosen.Add(source);
        }

        Assert.Equal(12, chosen.Count);
        var standardized = Dataset.Materialize(new IdxDataSpec("train", images, labels, 0, Shape) { Mean = 0.25, Std = 0.5 }, seed: 1);
        Assert.Equal(all.Inputs.Select(p => (p - 0.25f) * 2f), standardized.Inputs);
    }

    [Fact]
    public void A_one_layer_cnn_with_max_pooling_learns_the_bars_with_cross_entropy()
    {
        var (images, labels) = WriteBars();
        var model = new ModelSpec("cnn", Shape.Length, [
            new LayerSpec("c1", LayerKind.Conv, 4, Activation.Relu, true, null) { Kernel = 3, Padding = 1 },
            new LayerSpec("p1", LayerKind.MaxPool, 0, Activation.Linear, false, null) { Kernel = 2, Stride = 2 },
            new LayerSpec("out", LayerKind.Dense, 3, Activation.Linear, true, null)], fanIn => 1.0 / Math.Sqrt(fanIn))
        {
            InputShape = Shape,
        };
        var training = new TrainingSpec(LossKind.CrossEntropy, new AdamSpec(1e-2, 0.9, 0.999, 1e-8), DurationUnit.Epochs, 60, null);
        using var device = new CpuDevice(2);
        var sink = new MemorySink();
        Trainer.Run(new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None), model,
            new IdxDataSpec("train", images, labels, 0, Shape), training,
            [new ObservationSpec(new EveryScheduleSpec(20), [new LossMeasure(), new AccuracyMeasure()])]);

        var accuracy = sink.Column("accuracy");
        Assert.True(accuracy[^1] == 1.0, $"accuracy {string.Join(", ", accuracy)}");
        var loss = sink.Column("loss");
        Assert.True(loss[^1] < 0.2 * loss[0], $"loss {loss[0]} → {loss[^1]}");
    }
}
