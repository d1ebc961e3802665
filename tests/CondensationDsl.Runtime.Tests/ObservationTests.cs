using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Observation;
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
            [
                "loss", "clusters.hidden", "effective_width.hidden", "condensed_width.hidden", "negligible.hidden", "static.hidden",
                "lines.hidden", "largest_cluster.hidden", "reldis.hidden", "aligned.hidden",
            ],
            sink.Columns);
        Assert.Equal([0L, 50, 100, 120], sink.Rows.Select(r => r.Step));
        // Every column is filled where its measure is due; the cosine (and its aligned fraction) only at 0, 100 and 120.
        Assert.All(sink.Rows, row => Assert.All(row.Values.SkipLast(1), v => Assert.False(double.IsNaN(v))));
        Assert.Equal([false, true, false, false], sink.Column("aligned.hidden").Select(double.IsNaN));
        Assert.All(sink.Column("aligned.hidden").Where(v => !double.IsNaN(v)), v => Assert.InRange(v, 0, 1));
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

    /// <summary>
    /// Seven ReLU neurons (w, b), hand-placed: three along (1, 0), two along (0, 1), one along (−1, 0), and one static
    /// (w = 0, b = −1: pre-activation −1 on every input). Leader clustering at τ = 0.99 gives clusters of 3, 2 and 1 neurons.
    /// </summary>
    [Fact]
    public void Lines_count_clusters_of_at_least_line_size_and_the_largest_cluster_is_a_fraction_of_all_neurons()
    {
        var sink = RecordOnce(
            [(1, 0), (2, 0), (3, 0), (0, 1), (0, 2), (-1, 0), (0, -1)],
            new ClustersMeasure("hidden", 0.99, true, 1e-3, 0.9, LineSize: 3));

        Assert.Equal(3.0, sink.Column("clusters.hidden").Single());
        Assert.Equal(1.0, sink.Column("static.hidden").Single());
        // Sizes 3, 2, 1: only the cluster of 3 is a line (the one of 2 is below the line size).
        Assert.Equal(1.0, sink.Column("lines.hidden").Single());
        // 3 of all 7 neurons, the static one counted: 3/6 would leave it out.
        Assert.Equal(3.0 / 7, sink.Column("largest_cluster.hidden").Single(), 12);
    }

    [Fact]
    public void The_line_size_decides_which_clusters_are_lines()
    {
        var sink = RecordOnce([(1, 0), (2, 0), (3, 0), (0, 1), (0, 2), (-1, 0)], new ClustersMeasure("hidden", 0.99, true, 1e-3, 0.9, LineSize: 2));
        Assert.Equal(2.0, sink.Column("lines.hidden").Single());
        Assert.Equal(0.5, sink.Column("largest_cluster.hidden").Single(), 12);
    }

    /// <summary>
    /// Outputs relu(w·x + b) on the first 3 of 5 grid points x = −1, −0.5, 0 (hand-computed):
    /// n0 = relu(x + 1) = (0, 0.5, 1); n1 = relu(−x + 0.5) = (1.5, 1, 0.5); n2 (w = 0, b = −1) = (0, 0, 0), dead;
    /// n3 = relu(2x + 2) = 2·n0; n4 = relu(−2x − 0.5) = (1.5, 0.5, 0), whose pre-activation (1.5, 0.5, −0.5) would give another cosine.
    /// </summary>
    [Fact]
    public void Output_cosine_is_over_the_post_activation_outputs_on_the_first_count_points_and_a_dead_neuron_gives_zeros()
    {
        var sink = RecordOnce([(1, 1), (-1, 0.5), (0, -1), (2, 2), (-2, -0.5)], new CosineOutputsMeasure("hidden", Fig1Target with { Points = 5 }, 3), points: 5);

        var (shape, cosine) = sink.Arrays["cosine_outputs.hidden.step0000000"];
        Assert.Equal([5, 5], shape);
        double At(int i, int j) => cosine[i * 5 + j];
        Assert.Equal(1.0 / Math.Sqrt(1.25 * 3.5), At(0, 1), 12);
        Assert.Equal(1.0, At(0, 3), 12);
        Assert.Equal(2.75 / Math.Sqrt(2.5 * 3.5), At(1, 4), 12); // post-activation; the pre-activations give 2.5/√(2.75·3.5)
        Assert.Equal(At(0, 1), At(1, 0));
        for (var j = 0; j < 5; j++)
        {
            Assert.Equal(j == 2 ? 1.0 : 0.0, At(2, j));
            Assert.Equal(j == 2 ? 1.0 : 0.0, At(j, 2));
        }

        Assert.All(cosine, value => Assert.False(double.IsNaN(value)));
        Assert.DoesNotContain(sink.Arrays.Keys, name => name.StartsWith("cosine.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("test", 3, "not the training data")]
    [InlineData("train", 6, "has 5 points")]
    [InlineData("train", 0, "has 5 points")]
    public void Output_cosine_on_other_data_or_too_many_points_is_refused(string data, int count, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => RecordOnce([(1, 0)], new CosineOutputsMeasure("hidden", Fig1Target with { Name = data, Points = 5 }, count), points: 5));
        Assert.Contains(message, error.Message);
    }

    /// <summary>
    /// A model input 1 → hidden (ReLU, one neuron per (w, b)) → out (1, no bias, weights 1) on a grid over [−1, 1], observed
    /// once at step 0 with <paramref name="measure"/>.
    /// </summary>
    private static MemorySink RecordOnce((double W, double B)[] neurons, MeasureSpec measure, int points = 40)
    {
        using var device = new CpuDevice(1);
        var spec = new ModelSpec("net", 1, [
            new LayerSpec("hidden", LayerKind.Dense, neurons.Length, Activation.Relu, true, null),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0);
        using var model = FeedForwardModel.Create(device, spec, seed: 1, capacity: points);
        var hidden = model.Layers[0];
        device.Upload(neurons.Select(n => (float)n.W).ToArray(), hidden.Weight);
        device.Upload(neurons.Select(n => (float)n.B).ToArray(), hidden.Bias!);
        device.Upload(Enumerable.Repeat(1f, neurons.Length).ToArray(), model.Layers[1].Weight);
        var data = Dataset.Materialize(Fig1Target with { Points = points }, 1);
        var sink = new MemorySink();
        new Observer(sink, model, data, [new ObservationSpec(new EveryScheduleSpec(1), [measure])]).Record(0, 0, 1.0, final: true);
        return sink;
    }
}
