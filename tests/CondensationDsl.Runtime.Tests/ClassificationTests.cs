using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// Training with the cross-entropy loss (the model's outputs are the classes' logits, the target a class index) and the
/// accuracy measure, on both devices; and the mistakes it refuses.
/// </summary>
public sealed class ClassificationTests
{
    /// <summary>Three bands of x1 − x2: classes 0, 1, 2.</summary>
    private static readonly UniformDataSpec Bands = new("train", -1, 1, 90, 2, x => x[0] - x[1] > 0.4 ? 2 : x[0] - x[1] > -0.4 ? 1 : 0);

    private static ModelSpec Classifier(int classes = 3) => new("net", 2, [
        new LayerSpec("hidden", LayerKind.Dense, 24, Activation.Relu, true, null),
        new LayerSpec("out", LayerKind.Dense, classes, Activation.Linear, true, null)], fanIn => 1.0 / Math.Sqrt(fanIn));

    private static readonly TrainingSpec Training = new(LossKind.CrossEntropy, new AdamSpec(1e-2, 0.9, 0.999, 1e-8), DurationUnit.Epochs, 300, null);

    private static readonly ObservationSpec[] LossAndAccuracy = [new(new EveryScheduleSpec(50), [new LossMeasure(), new AccuracyMeasure()])];

    private static MemorySink Train(IDevice device, ModelSpec model, DataSpec data, TrainingSpec training, IReadOnlyList<ObservationSpec> observations)
    {
        var sink = new MemorySink();
        Trainer.Run(new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None), model, data, training, observations);
        return sink;
    }

    [Fact]
    public void A_classifier_learns_three_bands_and_its_accuracy_and_loss_are_recorded()
    {
        using var device = new CpuDevice(2);
        var sink = Train(device, Classifier(), Bands, Training, LossAndAccuracy);

        Assert.Equal(["loss", "accuracy"], sink.Columns);
        var loss = sink.Column("loss");
        var accuracy = sink.Column("accuracy");
        Assert.InRange(loss[0], Math.Log(3) - 0.3, Math.Log(3) + 0.3); // small logits: about log(classes)
        Assert.True(loss[^1] < 0.3 * loss[0], $"loss {loss[0]} → {loss[^1]}");
        Assert.True(accuracy[^1] >= 0.9, $"accuracy {accuracy[^1]}");
        Assert.All(accuracy, a => Assert.Equal(Math.Round(a * 90), a * 90, 9)); // a count of the 90 samples
    }

    [Fact]
    public void The_cpu_device_and_ilgpus_cpu_accelerator_train_a_classifier_to_the_same_losses_and_accuracies()
    {
        var training = Training with { Length = 40 };
        using var cpu = new CpuDevice(2);
        using var ilgpu = CondensationDsl.Kernels.IlgpuDevices.Create("ilgpu-cpu");
        var a = Train(cpu, Classifier(), Bands, training, LossAndAccuracy);
        var b = Train(ilgpu, Classifier(), Bands, training, LossAndAccuracy);
        Assert.Equal(a.Column("accuracy"), b.Column("accuracy"));
        foreach (var (x, y) in a.Column("loss").Zip(b.Column("loss")))
        {
            Assert.True(Math.Abs(x - y) <= 1e-4 * x, $"cpu {x}, ilgpu {y}");
        }
    }

    /// <summary>
    /// With mini-batches the device buffers hold a batch between observations: loss and accuracy must still be taken over
    /// every sample. A learning rate of 1e-12 keeps the network as it started, so every observation must equal step 0's,
    /// which is the full-batch measurement of the same initial network.
    /// </summary>
    [Fact]
    public void With_mini_batches_loss_and_accuracy_are_taken_over_every_sample()
    {
        using var device = new CpuDevice(2);
        var fullBatch = Train(device, Classifier(), Bands, Training with { Length = 2 }, LossAndAccuracy);
        var frozen = Train(device, Classifier(), Bands, Training with { Optimizer = new SgdSpec(1e-12, 16), Length = 150 }, LossAndAccuracy);

        Assert.Equal(4, frozen.Rows.Count);
        Assert.All(frozen.Column("accuracy"), a => Assert.Equal(fullBatch.Column("accuracy")[0], a));
        Assert.All(frozen.Column("loss"), loss => Assert.Equal(fullBatch.Column("loss")[0], loss, 6));
    }

    [Fact]
    public void Labels_beyond_the_classes_accuracy_without_cross_entropy_and_a_single_output_are_refused()
    {
        using var device = new CpuDevice(2);
        var fourClasses = Bands with { Target = x => x[0] > 0.5 ? 3 : 0 };
        var labels = Assert.Throws<ArgumentException>(() => Train(device, Classifier(), fourClasses, Training, LossAndAccuracy));
        Assert.Contains("3", labels.Message);

        var mse = Training with { Loss = LossKind.Mse };
        Assert.Throws<ArgumentException>(() => Train(device, Classifier(1), Bands, mse, LossAndAccuracy));
        Assert.Throws<ArgumentException>(() => Train(device, Classifier(1), Bands, Training, [new(new EveryScheduleSpec(50), [new LossMeasure()])]));
    }
}
