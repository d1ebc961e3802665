using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// Batch normalization and residual blocks inside a model, and ResNet-18 built of them: a tiny ResNet-18 (width 0.0625:
/// 4, 8, 16, 32 channels; 1×8×8 images; 3 classes) and a sequential conv → batchnorm → dense → batchnorm → dense model,
/// against the float64 <see cref="ResNetReference"/> and central finite differences of its loss, on the CPU device and
/// on ILGPU's CPU accelerator; running statistics, evaluation against training passes, names, and the two devices
/// training the same tiny ResNet to the same losses.
/// </summary>
public sealed class ResNetTests
{
    private const int Rows = 4;
    private const int Classes = 3;

    public static TheoryData<string, string> Cases() => new()
    {
        { "cpu", "resnet" }, { "ilgpu-cpu", "resnet" }, { "cpu", "sequential" }, { "ilgpu-cpu", "sequential" },
    };

    private static ModelSpec TinyResNet(int classes = Classes) =>
        new("resnet", 64, ResNet.Layers18(0.0625, classes), fanIn => Math.Sqrt(2.0 / fanIn)) { InputShape = new ImageShape(1, 8, 8) };

    /// <summary>conv → batchnorm (tanh) → dense (linear) → batchnorm (relu) → dense, on 2×5×4 images.</summary>
    private static ModelSpec Sequential() => new("seq", 40, [
        new LayerSpec("c1", LayerKind.Conv, 3, Activation.Linear, true, null) { Kernel = 3, Padding = 1 },
        new LayerSpec("b1", LayerKind.BatchNorm, 3, Activation.Tanh, true, null),
        new LayerSpec("h", LayerKind.Dense, 5, Activation.Linear, true, null),
        new LayerSpec("b2", LayerKind.BatchNorm, 5, Activation.Relu, true, null) { Momentum = 0.3 },
        new LayerSpec("out", LayerKind.Dense, Classes, Activation.Linear, true, null)], fanIn => 1.0 / Math.Sqrt(fanIn))
    {
        InputShape = new ImageShape(2, 5, 4),
    };

    private static ModelSpec SpecNamed(string name) => name == "resnet" ? TinyResNet() : Sequential();

    private static IDevice CreateDevice(string kind) => kind switch
    {
        "cpu" => new CpuDevice(2) { ParallelThreshold = 0 },
        "ilgpu-cpu" => CondensationDsl.Kernels.IlgpuDevices.Create("ilgpu-cpu"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    [Fact]
    public void Resnet18_has_the_cifar_layout_with_readable_names()
    {
        Assert.Equal([16, 32, 64, 128], ResNet.StageChannels(0.25));
        Assert.Equal([64, 128, 256, 512], ResNet.StageChannels(1));
        using var device = CreateDevice("cpu");
        var spec = new ModelSpec("r", 3 * 32 * 32, ResNet.Layers18(0.25, 10), _ => 0.01) { InputShape = new ImageShape(3, 32, 32) };
        using var model = FeedForwardModel.Create(device, spec, seed: 1, capacity: 2);
        Assert.Equal(20, model.Convolutions.Count); // stem, 16 in blocks, 3 shortcuts
        Assert.Equal(ResNet.FirstConvolution, model.Convolutions[0].Name);
        Assert.Equal(ResNet.LastConvolution, model.Convolutions.Last(c => !c.Name.Contains("shortcut", StringComparison.Ordinal)).Name);
        Assert.Equal(["layer2.0.shortcut.conv", "layer3.0.shortcut.conv", "layer4.0.shortcut.conv"],
            model.Convolutions.Where(c => c.Name.Contains("shortcut", StringComparison.Ordinal)).Select(c => c.Name));
        var last = model.Convolution("layer4.1.conv2")!;
        Assert.Equal(128, last.Spec.Width);
        Assert.Equal(128 * 9, last.FanIn);
        Assert.Equal(new ImageShape(128, 4, 4), last.Output);
        Assert.Equal(16 * 32 * 32, model.OutputWidthOf("layer1.0.bn1"));
        Assert.Equal(128 * 4 * 4, model.OutputWidthOf("layer4.1"));
        Assert.Equal(128, model.OutputWidthOf("avgpool"));
        Assert.Equal(10, model.OutputSize);
        Assert.Equal(20, model.BatchNorms.Count); // stem, 16 in blocks, 3 shortcuts
        Assert.True(model.TrainingDiffersFromEvaluation);
        Assert.False(model.HasDropout);
        Assert.Equal(
            ["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.0.conv2.weight"],
            model.Parameters.Take(7).Select(p => p.Name));
        Assert.Equal(["fc.weight", "fc.bias"], model.Parameters.TakeLast(2).Select(p => p.Name));
        // The CIFAR ResNet-18 at width 1/4: its convolutions (about 1/16 of the 11.17 M at width 1), γ and β, and the dense head.
        Assert.Equal(701_466, model.Parameters.Sum(p => (long)p.Length));
        Assert.True(FeedForwardModel.ActivationFloatsPerRow(spec) > 16 * 32 * 32 * 4 * 8);
        Assert.Equal(new double[128], model.ReadParameter("layer4.1.bn2.running_mean"));
        Assert.All(model.ReadParameter("layer4.1.bn2.running_var"), v => Assert.Equal(1.0, v));
        Assert.All(model.ReadParameter("layer4.1.bn2.weight"), v => Assert.Equal(1.0, v));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_training_pass_and_its_gradients_match_a_float64_network_and_finite_differences(string deviceKind, string modelName)
    {
        using var device = CreateDevice(deviceKind);
        var spec = SpecNamed(modelName);
        using var model = FeedForwardModel.Create(device, spec, seed: 3, capacity: Rows);
        PerturbNormalizations(model, seed: 17);
        var x = Reference.RandomFloats(Rows * spec.InputSize, 41);
        var weights = Reference.RandomFloats(Rows * Classes, 43);
        using var dx = Reference.Upload(device, x);
        using var dOut = Reference.Upload(device, weights);

        var output = Reference.Download(device, model.TrainingForward(dx, Rows, step: 0), Rows * Classes);
        model.Backward(dx, dOut, Rows);

        var values = model.Parameters.ToDictionary(p => p.Name, p => model.ReadParameter(p.Name));
        double Loss() => new ResNetReference(spec, name => values[name], training: true).Forward(x, Rows)
            .SelectMany(row => row).Select((v, i) => v * weights[i]).Sum();
        var reference = new ResNetReference(spec, name => values[name], training: true).Forward(x, Rows).SelectMany(row => row).ToArray();
        for (var i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - reference[i]) <= 2e-5 * Math.Max(1, Math.Abs(reference[i])), $"{deviceKind} {modelName} output {i}: {output[i]} vs {reference[i]}");
        }

        // Every γ and β and dense entry; a sample of every convolution's weights (a full sweep would take minutes).
        var random = new System.Random(5);
        var checkedEntries = 0;
        foreach (var parameter in model.Parameters)
        {
            var gradient = Reference.Download(device, parameter.Gradient, parameter.Length);
            var entries = parameter.Length <= 16 ? Enumerable.Range(0, parameter.Length) : Enumerable.Range(0, 8).Select(_ => random.Next(parameter.Length));
            foreach (var i in entries)
            {
                const double h = 1e-5;
                var saved = values[parameter.Name][i];
                values[parameter.Name][i] = saved + h;
                var up = Loss();
                values[parameter.Name][i] = saved - h;
                var down = Loss();
                values[parameter.Name][i] = saved;
                var numeric = (up - down) / (2 * h);
                Assert.True(
                    Math.Abs(gradient[i] - numeric) <= 2e-4 * Math.Max(1, Math.Abs(numeric)),
                    $"{deviceKind} {modelName} {parameter.Name}[{i}]: device {gradient[i]}, finite differences {numeric}");
                checkedEntries++;
            }
        }

        Assert.True(checkedEntries > 40);
    }

    [Theory]
    [InlineData("cpu", "resnet")]
    [InlineData("ilgpu-cpu", "resnet")]
    [InlineData("cpu", "sequential")]
    public void Training_passes_update_the_running_statistics_and_evaluation_passes_use_them(string deviceKind, string modelName)
    {
        using var device = CreateDevice(deviceKind);
        var spec = SpecNamed(modelName);
        using var model = FeedForwardModel.Create(device, spec, seed: 3, capacity: Rows);
        PerturbNormalizations(model, seed: 19);
        var x = Reference.RandomFloats(Rows * spec.InputSize, 47);
        using var dx = Reference.Upload(device, x);
        var values = model.Parameters.ToDictionary(p => p.Name, p => model.ReadParameter(p.Name));

        // Two training passes over the same rows: running ← (1 − m)·running + m·batch (unbiased variance), twice.
        model.TrainingForward(dx, Rows, step: 0);
        model.TrainingForward(dx, Rows, step: 1);
        var batch = new ResNetReference(spec, name => values[name], training: true);
        batch.Forward(x, Rows);
        foreach (var norm in model.BatchNorms)
        {
            var (mean, variance, count) = batch.BatchStatistics[norm.Name];
            var m = norm.Spec.Momentum;
            var runningMean = model.ReadParameter(norm.Name + ".running_mean");
            var runningVar = model.ReadParameter(norm.Name + ".running_var");
            for (var c = 0; c < norm.Channels; c++)
            {
                var expectedMean = ((1 - (1 - m) * (1 - m)) * mean[c]);
                var unbiased = variance[c] * count / (count - 1);
                var expectedVar = ((1 - m) * (1 - m)) + ((1 - (1 - m) * (1 - m)) * unbiased);
                Assert.True(Math.Abs(runningMean[c] - expectedMean) <= 1e-4 * Math.Max(1, Math.Abs(expectedMean)), $"{norm.Name} mean[{c}]: {runningMean[c]} vs {expectedMean}");
                Assert.True(Math.Abs(runningVar[c] - expectedVar) <= 1e-4 * Math.Max(1, expectedVar), $"{norm.Name} var[{c}]: {runningVar[c]} vs {expectedVar}");
            }
        }

        // The evaluation pass normalizes with the running statistics: against the reference reading them from the model.
        var output = Reference.Download(device, model.Forward(dx, Rows), Rows * Classes);
        var state = new Dictionary<string, double[]>(values);
        foreach (var norm in model.BatchNorms)
        {
            state[norm.Name + ".running_mean"] = model.ReadParameter(norm.Name + ".running_mean");
            state[norm.Name + ".running_var"] = model.ReadParameter(norm.Name + ".running_var");
        }

        var reference = new ResNetReference(spec, name => state[name], training: false).Forward(x, Rows).SelectMany(row => row).ToArray();
        for (var i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - reference[i]) <= 2e-5 * Math.Max(1, Math.Abs(reference[i])), $"evaluation output {i}: {output[i]} vs {reference[i]}");
        }

        // An evaluation pass changes no running statistic, and a row's output does not depend on the other rows.
        var before = model.ReadParameter(model.BatchNorms[0].Name + ".running_mean");
        var first = Reference.Download(device, model.Forward(dx, 1), Classes);
        Assert.Equal(before, model.ReadParameter(model.BatchNorms[0].Name + ".running_mean"));
        Assert.Equal(output.Take(Classes), first);
        var trainingFirstRows = Reference.Download(device, model.TrainingForward(dx, 2, step: 2), Classes);
        Assert.NotEqual(output.Take(Classes), trainingFirstRows);
    }

    [Fact]
    public void Backward_after_an_evaluation_pass_is_refused_and_block_outputs_are_readable()
    {
        using var device = CreateDevice("cpu");
        var spec = TinyResNet();
        using var model = FeedForwardModel.Create(device, spec, seed: 3, capacity: Rows);
        var x = Reference.RandomFloats(Rows * spec.InputSize, 53);
        using var dx = Reference.Upload(device, x);
        using var dOut = Reference.Upload(device, new float[Rows * Classes]);
        model.Forward(dx, Rows);
        Assert.Throws<InvalidOperationException>(() => model.Backward(dx, dOut, Rows));

        model.TrainingForward(dx, Rows, step: 0);
        model.Backward(dx, dOut, Rows);
        var values = model.Parameters.ToDictionary(p => p.Name, p => model.ReadParameter(p.Name));
        var width = model.OutputWidthOf("layer4.1.conv2");
        Assert.Equal(32, width);
        var outputs = new float[Rows * width];
        model.DownloadOutputOf("layer4.1.conv2", outputs);
        var truncated = spec with { Layers = [.. spec.Layers.TakeWhile(l => l.Name != "layer4.1"), .. BlockPrefix(spec.Layers.Single(l => l.Name == "layer4.1"))] };
        var reference = new ResNetReference(truncated, name => values[name], training: true).Forward(x, Rows).SelectMany(row => row).ToArray();
        for (var i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(outputs[i] - reference[i]) <= 2e-5 * Math.Max(1, Math.Abs(reference[i])), $"layer4.1.conv2 output {i}: {outputs[i]} vs {reference[i]}");
        }

        Assert.Throws<ArgumentException>(() => model.OutputWidthOf("layer5.0.conv1"));
        Assert.Null(model.Convolution("layer4.1.bn2"));
        Assert.NotNull(model.BatchNorm("layer4.1.bn2"));
    }

    [Fact]
    public void The_cpu_device_and_ilgpus_cpu_accelerator_train_a_tiny_resnet_to_the_same_losses()
    {
        var spec = TinyResNet(classes: 1);
        var data = new UniformDataSpec("train", -1, 1, 16, spec.InputSize, x => Math.Tanh(x[0] + x[9] - x[40]));
        var training = new TrainingSpec(LossKind.Mse, new SgdSpec(0.01, 8), DurationUnit.Epochs, 3, null);
        double[] Losses(string kind)
        {
            using var device = CreateDevice(kind);
            var sink = new MemorySink();
            Trainer.Run(new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None), spec, data, training,
                [new ObservationSpec(new EveryScheduleSpec(1), [new LossMeasure()])]);
            return sink.Column("loss");
        }

        var cpu = Losses("cpu");
        var ilgpu = Losses("ilgpu-cpu");
        Assert.Equal(4, cpu.Length);
        Assert.True(cpu[^1] < cpu[0], $"training lowers the loss: {string.Join(", ", cpu)}");
        // Six updates: the devices' different float32 summation orders, amplified by normalizing over batches of 8, part
        // the runs by 6e-5 relative here (after ten more updates by a few percent: training a ResNet is chaotic at this size).
        for (var i = 0; i < cpu.Length; i++)
        {
            Assert.True(Math.Abs(cpu[i] - ilgpu[i]) <= 2e-4 * Math.Max(1e-3, cpu[i]), $"epoch {i}: cpu {string.Join(", ", cpu)}, ilgpu {string.Join(", ", ilgpu)}");
        }
    }

    /// <summary>A block's layers up to its second convolution as top-level layers, so the reference stops at that output.</summary>
    private static LayerSpec[] BlockPrefix(LayerSpec block)
    {
        var inner = ResidualBlock.InnerLayers(block, new ImageShape(32, 1, 1));
        return [inner.Conv1, inner.Norm1, inner.Conv2];
    }

    /// <summary>γ and β away from 1 and 0, so their gradients and roles are tested (the initial state hides a swapped pair).</summary>
    private static void PerturbNormalizations(FeedForwardModel model, int seed)
    {
        var random = new System.Random(seed);
        foreach (var norm in model.BatchNorms)
        {
            model.WriteParameter(norm.Name + ".weight", Enumerable.Range(0, norm.Channels).Select(_ => 0.5 + random.NextDouble()).ToArray());
            model.WriteParameter(norm.Name + ".bias", Enumerable.Range(0, norm.Channels).Select(_ => random.NextDouble() - 0.5).ToArray());
        }
    }
}
