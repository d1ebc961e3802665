using CondensationDsl.Runtime.Tests;

namespace CondensationDsl.Cli.Tests;

/// <summary>
/// A CNN on MNIST-format files end to end through the CLI: idx data (a training and a test set), conv → max pool → flatten
/// → dense, cross-entropy with mini-batch Adam, `until accuracy`, accuracy and loss on the test set, and the convolution's
/// kernel and output cosines with their aligned-pair columns; the CPU device and ILGPU's CPU accelerator agree on it.
/// </summary>
public sealed class ImageRunTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    private const int Side = 6;

    [Fact]
    public async Task A_cnn_learns_idx_images_and_both_devices_agree()
    {
        var folder = Directory.CreateDirectory(sandbox.NewPath("idx")).FullName;
        WriteSet(folder, "train", count: 48, seed: 1);
        WriteSet(folder, "test", count: 24, seed: 2);
        var file = sandbox.WriteCond("cnn", Experiment(folder));

        var cpuOutput = sandbox.NewPath("cpu");
        var ilgpuOutput = sandbox.NewPath("ilgpu");
        var results = await Task.WhenAll(
            sandbox.RunAsync("test", file, "--device", "cpu", "-o", cpuOutput),
            sandbox.RunAsync("test", file, "--device", "ilgpu-cpu", "--no-report", "-o", ilgpuOutput));
        Assert.True(results[0].ExitCode == 0, results[0].ToString());
        Assert.True(results[1].ExitCode == 0, results[1].ToString());
        Assert.Contains("3 passed, 0 failed", results[0].StdOut);

        var cpu = RunFolder(cpuOutput);
        var (header, _) = TestInputs.ReadMetrics(cpu);
        Assert.Equal(
            ["step", "epoch", "loss", "accuracy", "loss.test", "accuracy.test", "aligned.c1", "aligned_outputs.c1",
             "clusters.hidden", "effective_width.hidden", "condensed_width.hidden", "negligible.hidden", "static.hidden",
             "lines.hidden", "largest_cluster.hidden", "reldis.hidden", "aligned_outputs.hidden"],
            header);
        // A dense ReLU layer behind a convolution: its static neurons (outputs 0 on every training image) come from a
        // device pass; the host float64 pass knows dense layers only.
        var (_, rows) = TestInputs.ReadMetrics(cpu);
        var statics = rows.Select(row => row[Array.IndexOf(header, "static.hidden")]).Where(cell => cell.Length > 0).ToArray();
        Assert.InRange(statics.Length, 2, 3); // step 0, the end, and step 4 unless the run stopped before it
        Assert.All(statics, cell => Assert.InRange(double.Parse(cell, System.Globalization.CultureInfo.InvariantCulture), 0, 6));
        // A convolution's weights are its filters' kernels: 4 filters × (1 channel × 3 × 3); its outputs' cosine is 4 × 4.
        Assert.Equal([4, 9], TestInputs.ReadNpyShape(Path.Combine(cpu, "arrays", "weights.c1.step0000000.npy")));
        Assert.Equal([4, 4], TestInputs.ReadNpyShape(Path.Combine(cpu, "arrays", "cosine_outputs.c1.step0000000.npy")));
        foreach (var figure in new[] { "accuracy.png", "loss.png", "aligned-c1.png", "cosine-c1-step0000000.png", "cosine-outputs-c1-step0000000.png" })
        {
            Assert.True(File.Exists(Path.Combine(cpu, "figures", figure)), figure);
        }

        var ilgpu = RunFolder(ilgpuOutput);
        foreach (var column in new[] { "loss", "accuracy", "loss.test", "accuracy.test" })
        {
            var expected = TestInputs.Column(cpu, column);
            var actual = TestInputs.Column(ilgpu, column);
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"{column} row {i}: cpu {expected[i]:R}, ilgpu-cpu {actual[i]:R}");
            }
        }
    }

    private static string RunFolder(string output) =>
        Path.GetDirectoryName(Directory.GetFiles(output, "run.json", SearchOption.AllDirectories).Single())!;

    private static string Experiment(string folder) => $$"""
        experiment cnn "A CNN on generated MNIST-format files"

        data train = idx("{{folder}}/train-images.gz", "{{folder}}/train-labels.gz")
        data test  = idx("{{folder}}/test-images", "{{folder}}/test-labels", take: 20)

        model net {
          input (1, {{Side}}, {{Side}})
          conv c1(4, relu, kernel: 3, padding: 1)
          maxpool p1(2)
          flatten
          dense hidden(6, relu)
          dense out(2)
          init normal(std: 0.3)
        }

        train {
          loss cross_entropy
          optimizer adam(lr: 0.05, batch: 8)
          epochs 40
          until accuracy >= 0.98
        }

        observe every 2 { loss; accuracy; loss on test; accuracy on test; cosine c1; cosine c1 outputs on test 10 }
        observe at [4] { clusters hidden; reldis hidden; cosine hidden outputs on test 10 }

        expect accuracy at end >= 0.98
        expect accuracy(test) at end >= 0.9
        expect aligned(c1) at 0 <= 1
        """;

    /// <summary>
    /// Two classes of Side×Side byte images: class 0 bright on the left half, class 1 on the right, with noise; the training
    /// files gzip-compressed, the test files plain.
    /// </summary>
    private static void WriteSet(string folder, string name, int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Side * Side];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % 2);
            for (var r = 0; r < Side; r++)
            {
                for (var c = 0; c < Side; c++)
                {
                    var bright = (c < Side / 2) == (labels[i] == 0);
                    pixels[(i * Side * Side) + (r * Side) + c] = (byte)((bright ? 160 : 0) + random.Next(0, 90));
                }
            }
        }

        var images = IdxFiles.Idx(0x08, [count, Side, Side], pixels);
        var labelFile = IdxFiles.Idx(0x08, [count], labels);
        var gzip = name == "train";
        File.WriteAllBytes(Path.Combine(folder, $"{name}-images{(gzip ? ".gz" : "")}"), gzip ? IdxFiles.Gzip(images) : images);
        File.WriteAllBytes(Path.Combine(folder, $"{name}-labels{(gzip ? ".gz" : "")}"), gzip ? IdxFiles.Gzip(labelFile) : labelFile);
    }
}
