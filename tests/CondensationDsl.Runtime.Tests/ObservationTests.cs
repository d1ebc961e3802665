using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

public class ObservationTests
{
    private static readonly GridDataSpec Fig1Target = new("train", -1, 1, 40, x =>
        -Fn.Relu(x[0]) + Fn.Relu(2 * (x[0] + 0.3)) - Fn.Relu(1.5 * (x[0] - 0.4)) + Fn.Relu(0.5 * (x[0] - 0.8)));

    [Fact]
    public void Measures_fill_their_columns_and_arrays_at_their_steps()
    {
        using var device = new CpuDevice(2);
        var sink = new MemorySink();
        var observations = new[]
        {
            new ObservationSpec(new EveryScheduleSpec(50), [new LossMeasure(), new ClustersMeasure("hidden", 0.99, true, 1e-3, 0.9), new RelDisMeasure("hidden")]),
            new ObservationSpec(new AtScheduleSpec([100]), [new FeaturesMeasure("hidden", AmplitudeKind.Full), new CosineMeasure("hidden")]),
        };
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.1), DurationUnit.Epochs, 120, null);
        Trainer.Run(new RunContext(device, new Dictionary<string, double>(), sink, null, default), TrainerTests.TwoLayer(60, 0.05), Fig1Target, training, observations);

        Assert.Equal(
            ["loss", "clusters.hidden", "effective_width.hidden", "condensed_width.hidden", "negligible.hidden", "static.hidden", "reldis.hidden"],
            sink.Columns);
        Assert.Equal([0L, 50, 100, 120], sink.Rows.Select(r => r.Step));
        Assert.All(sink.Rows, row => Assert.All(row.Values, v => Assert.False(double.IsNaN(v))));
        Assert.Equal(0.0, sink.Column("reldis.hidden")[0]);
        Assert.True(sink.Column("reldis.hidden")[^1] > 0);
        Assert.All(sink.Column("clusters.hidden"), count => Assert.InRange(count, 1, 60));

        // Arrays at the `at` step and, because the first and last rows carry every measure, at step 0 and the final step.
        Assert.Equal(
            [
                "cosine.hidden.step0000000", "cosine.hidden.step0000100", "cosine.hidden.step0000120",
                "features.hidden.step0000000", "features.hidden.step0000100", "features.hidden.step0000120",
                "weights.hidden.step0000000", "weights.hidden.step0000100", "weights.hidden.step0000120",
            ],
            sink.Arrays.Keys.Order());
        var (featureShape, features) = sink.Arrays["features.hidden.step0000100"];
        Assert.Equal([60, 3], featureShape);
        var staticCount = Enumerable.Range(0, 60).Count(k => features[k * 3 + 2] == 1);
        Assert.Equal(sink.Column("static.hidden")[2], staticCount);
        Assert.All(Enumerable.Range(0, 60), k => Assert.InRange(features[k * 3], -Math.PI, Math.PI));
        var (cosineShape, cosine) = sink.Arrays["cosine.hidden.step0000100"];
        Assert.Equal([60, 60], cosineShape);
        Assert.All(Enumerable.Range(0, 60), k => Assert.Equal(1.0, cosine[k * 61], 9));
        Assert.Equal([60, 2], sink.Arrays["weights.hidden.step0000100"].Shape);
    }

    [Fact]
    public void A_dead_relu_neuron_is_static_and_a_tanh_layer_has_none()
    {
        // Std 0 except through the seed: with all weights zero, every ReLU pre-activation is 0 ≤ 0 on every input.
        foreach (var (activation, expected) in new[] { (Activation.Relu, 5.0), (Activation.Tanh, 0.0) })
        {
            using var device = new CpuDevice(1);
            var sink = new MemorySink();
            var model = new ModelSpec("net", 1, [
                new LayerSpec("hidden", LayerKind.Dense, 5, activation, true, _ => 0),
                new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 1);
            var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.1), DurationUnit.Epochs, 0, null);
            Trainer.Run(new RunContext(device, new Dictionary<string, double>(), sink, null, default), model, Fig1Target, training,
                [new ObservationSpec(new EveryScheduleSpec(1), [new FeaturesMeasure("hidden", AmplitudeKind.Full)])]);
            Assert.Equal(["loss", "static.hidden"], sink.Columns);
            Assert.Equal(expected, sink.Rows.Single().Values[1]);
        }
    }

    [Fact]
    public void An_unknown_observed_layer_is_refused_before_training()
    {
        using var device = new CpuDevice(1);
        var sink = new MemorySink();
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.1), DurationUnit.Epochs, 10, null);
        var error = Assert.Throws<ArgumentException>(() => Trainer.Run(
            new RunContext(device, new Dictionary<string, double>(), sink, null, default), TrainerTests.TwoLayer(4, 0.1), Fig1Target, training,
            [new ObservationSpec(new EveryScheduleSpec(1), [new RelDisMeasure("hiden")])]));
        Assert.Contains("hiden", error.Message);
        Assert.Empty(sink.Rows);
    }
}
