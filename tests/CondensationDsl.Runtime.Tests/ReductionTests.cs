using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Reduction;

namespace CondensationDsl.Runtime.Tests;

public class ReductionTests
{
    private const int Width = 50;

    // Figure 1's data: 40 grid points on [−1, 1], a ReLU network 1 → hidden(50, relu, bias) → out(1, no bias).
    private static readonly GridDataSpec Grid = new("train", -1, 1, 40,
        x => -Fn.Relu(x[0]) + Fn.Relu(2 * (x[0] + 0.3)) - Fn.Relu(1.5 * (x[0] - 0.4)) + Fn.Relu(0.5 * (x[0] - 0.8)));

    // Four directions (w, b), each active somewhere on [−1, 1], and a fifth that only negligible neurons take.
    private static readonly double[][] Directions = [[1, 0.3], [-1, 0.2], [1.5, -0.6], [-0.5, -0.3]];
    private static readonly double[] NegligibleDirection = [0.3, 0.9];

    private static ModelSpec Net(int width) => new("net", 1, [
        new LayerSpec("hidden", LayerKind.Dense, width, Activation.Relu, true, null),
        new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.3);

    /// <summary>
    /// An exactly condensed hidden layer: 46 neurons that are positive multiples of the four directions, and 4 with the fifth
    /// direction but outgoing weights of 1e-9 (amplitude far below 1e-3·max, and below float32 rounding of the output).
    /// </summary>
    private static Dictionary<string, double[]> CondensedParameters()
    {
        var random = new System.Random(11);
        var w = new double[Width];
        var b = new double[Width];
        var a = new double[Width];
        for (var k = 0; k < Width; k++)
        {
            var scale = 0.2 + (2 * random.NextDouble());
            var direction = k < Width - 4 ? Directions[k % 4] : NegligibleDirection;
            w[k] = scale * direction[0];
            b[k] = scale * direction[1];
            a[k] = k < Width - 4 ? random.NextDouble() - 0.5 : 1e-9;
        }

        return new Dictionary<string, double[]> { ["hidden.weight"] = w, ["hidden.bias"] = b, ["out.weight"] = a };
    }

    [Fact]
    public void An_exactly_condensed_relu_layer_reduces_to_its_four_directions_with_the_same_function()
    {
        using var device = new CpuDevice(1);
        var data = Dataset.Materialize(Grid, seed: 1);
        using var model = FeedForwardModel.FromParameters(device, Net(Width), CondensedParameters(), data.Count);

        var network = NetworkReduction.Reduce(model, data, "hidden", threshold: 0.99, negligibleFraction: 1e-3);
        Assert.Equal(Width, network.Reduction.WidthBefore);
        Assert.Equal(4, network.Reduction.WidthAfter);
        Assert.Equal(4, network.Reduction.NegligibleCount);
        Assert.Equal(4, network.Spec.Layers[0].Width);
        Assert.Equal("out", network.NextLayer);
        Assert.Equal([-1, -1, -1, -1], network.Reduction.Groups[^4..]);

        using var reduced = FeedForwardModel.FromParameters(device, network.Spec, network.Parameters, data.Count);
        var before = Evaluation.Of(device, model, data);
        var after = Evaluation.Of(device, reduced, data);

        // Float32 rounding: each of the ≤ 50 terms a_k·relu(z_k) and their sum carry a relative error of a few ulps, so the
        // outputs may differ by about 50·2⁻²⁴·Σ_k |a_k·relu(z_k)|; a wrong merge factor is off by O(|f|).
        var parameters = CondensedParameters();
        for (var i = 0; i < data.Count; i++)
        {
            var magnitude = 0.0;
            for (var k = 0; k < Width; k++)
            {
                magnitude += Math.Abs(parameters["out.weight"][k] * Math.Max(0, (parameters["hidden.weight"][k] * data.InputsDouble[i]) + parameters["hidden.bias"][k]));
            }

            Assert.True(Math.Abs(after.Predictions[i] - before.Predictions[i]) <= 50 * Math.Pow(2, -24) * magnitude,
                $"x = {data.InputsDouble[i]}: reduced {after.Predictions[i]} vs original {before.Predictions[i]}");
        }

        Assert.True(Agreement.Fraction(before.Predictions, after.Predictions, 1, 0.01) >= 0.99);
        Assert.Equal(before.Loss, after.Loss, 5);
    }

    [Fact]
    public void Agreement_counts_points_within_the_tolerance_of_the_largest_output()
    {
        // Scale max |f| = 4, tolerance 0.1 → bound 0.4: points 0 and 1 agree (0.4, 0.1 off), point 2 does not (0.5), NaN never.
        float[] reference = [1, -4, 2, 0];
        float[] candidate = [1.4f, -4.1f, 2.5f, float.NaN];
        Assert.Equal(0.5, Agreement.Fraction(reference, candidate, 1, 0.1));
        Assert.Equal(4, Agreement.Scale(reference));
        Assert.Equal(1.0, Agreement.Fraction(reference, reference, 1, 0));
    }

    [Fact]
    public void Training_then_reduction_and_fine_tuning_are_recorded_in_the_sink()
    {
        using var device = new CpuDevice(2);
        var sink = new ReductionSink();
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None);
        var training = new TrainingSpec(LossKind.Mse, new AdamSpec(1e-2, 0.9, 0.999, 1e-8), DurationUnit.Epochs, 400, null);
        var fineTune = new TrainingSpec(LossKind.Mse, new AdamSpec(1e-3, 0.9, 0.999, 1e-8), DurationUnit.Epochs, 150, null);
        Trainer.Run(context, Net(Width), Grid, training, [new ObservationSpec(new EveryScheduleSpec(100), [new LossMeasure()])],
            new ReductionSpec("hidden", 0.9, 1e-3, fineTune, AgreementTolerance: 0.05));

        // Fine-tuning adds no rows to the run's metrics: they end at the main training's last step.
        Assert.Equal([0L, 100, 200, 300, 400], sink.Rows.Select(r => r.Step));

        // Recorded once after the reduction, once more, complete, after fine-tuning.
        Assert.Equal(2, sink.Reductions.Count);
        Assert.Null(sink.Reductions[0].LossFinetuned);
        var result = sink.Reductions[1];
        Assert.Equal(sink.Reductions[0], result with { FineTuneSteps = null, LossFinetuned = null, AgreementFinetuned = null });
        Assert.Equal(("hidden", "out"), (result.Layer, result.NextLayer));
        Assert.Equal(Width, result.WidthBefore);
        Assert.InRange(result.WidthAfter, 1, Width - 1);
        Assert.Equal(Width, result.Groups.Count);
        Assert.Equal(result.WidthAfter, result.Groups.Where(g => g >= 0).Distinct().Count());
        Assert.Equal(40, result.Points);

        // The loss before reduction is the one training recorded last (same device, same parameters, same pass).
        Assert.Equal(sink.Rows[^1].Loss, result.LossBefore);
        Assert.InRange(result.AgreementReduced, 0, 1);
        Assert.InRange(result.AgreementFinetuned!.Value, 0, 1);
        Assert.Equal(150, result.FineTuneSteps);

        // Fine-tuning starts from the reduced network (its step-0 loss is the loss right after reduction) and lowers the loss.
        var (shape, curve) = sink.Arrays[FineTuneLossArray];
        Assert.Equal(2, shape[1]);
        Assert.Equal((0.0, result.LossReduced), (curve[0], curve[1]));
        Assert.Equal(150.0, curve[^2]);
        Assert.Equal(result.LossFinetuned!.Value, curve[^1]);
        Assert.True(result.LossFinetuned < result.LossReduced, $"fine-tuning should lower the loss: {result.LossReduced} → {result.LossFinetuned}");

        Assert.Equal([result.WidthAfter, 1], sink.Arrays["reduced.hidden.weight"].Shape);
        Assert.Equal([result.WidthAfter], sink.Arrays["reduced.hidden.bias"].Shape);
        Assert.Equal([1, result.WidthAfter], sink.Arrays["reduced.out.weight"].Shape);
        Assert.Equal([1, result.WidthAfter], sink.Arrays["finetuned.out.weight"].Shape);
        Assert.NotEqual(sink.Arrays["reduced.out.weight"].Data, sink.Arrays["finetuned.out.weight"].Data);
        Assert.False(sink.Arrays.ContainsKey("reduced.out.bias"));
    }

    [Fact]
    public void Without_fine_tuning_the_reduction_is_recorded_once_and_has_no_fine_tuning_results()
    {
        using var device = new CpuDevice(1);
        var sink = new ReductionSink();
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None);
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.1), DurationUnit.Epochs, 50, null);
        Trainer.Run(context, Net(20), Grid, training, [new ObservationSpec(new EveryScheduleSpec(50), [new LossMeasure()])],
            new ReductionSpec("hidden", 0.9, 1e-3, null));

        var result = Assert.Single(sink.Reductions);
        Assert.Null(result.FineTuneSteps);
        Assert.Null(result.AgreementFinetuned);
        Assert.Equal(0.01, result.AgreementTolerance);
        Assert.False(sink.Arrays.ContainsKey(FineTuneLossArray));
        Assert.True(sink.Arrays.ContainsKey("reduced.hidden.weight"));
    }

    [Fact]
    public void A_layer_after_a_dropout_layer_reduces_and_fine_tunes_with_dropout_in_place()
    {
        // first(8, tanh) → dropout → hidden(20, relu) → out: the spec counts four layers, the model's dense layers three.
        using var device = new CpuDevice(1);
        var sink = new ReductionSink();
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None);
        var spec = new ModelSpec("net", 1, [
            new LayerSpec("first", LayerKind.Dense, 8, Activation.Tanh, true, null),
            new LayerSpec("drop", LayerKind.Dropout, 8, Activation.Linear, false, null, Keep: 0.9),
            new LayerSpec("hidden", LayerKind.Dense, 20, Activation.Relu, true, null),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.3);
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.05), DurationUnit.Epochs, 200, null);
        Trainer.Run(context, spec, Grid, training, [new ObservationSpec(new EveryScheduleSpec(100), [new LossMeasure()])],
            new ReductionSpec("hidden", 0.9, 1e-3, training with { Length = 20 }));

        var result = sink.Reductions[^1];
        Assert.Equal(20, result.WidthBefore);
        Assert.InRange(result.WidthAfter, 1, 20);
        Assert.Equal(20, result.FineTuneSteps);
        Assert.Equal([result.WidthAfter, 8], sink.Arrays["reduced.hidden.weight"].Shape);
        Assert.Equal([8, 1], sink.Arrays["reduced.first.weight"].Shape);
        Assert.DoesNotContain(sink.Arrays.Keys, name => name.Contains("drop", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("out", "is the last layer")]
    [InlineData("hiden", "is not a layer")]
    public void A_layer_that_cannot_be_reduced_is_refused_before_training(string layer, string reason)
    {
        using var device = new CpuDevice(1);
        var sink = new ReductionSink();
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None);
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.1), DurationUnit.Epochs, 10, null);
        var error = Assert.Throws<ArgumentException>(() => Trainer.Run(context, Net(10), Grid, training, [],
            new ReductionSpec(layer, 0.9, 1e-3, null)));
        Assert.Contains(reason, error.Message);
        Assert.Empty(sink.Rows);
    }

    [Theory]
    [InlineData(0.0, 1e-3, 0.01)]
    [InlineData(1.1, 1e-3, 0.01)]
    [InlineData(0.9, -1, 0.01)]
    [InlineData(0.9, 1e-3, -0.5)]
    public void Out_of_range_reduction_settings_are_refused_before_training(double threshold, double negligible, double tolerance)
    {
        using var device = new CpuDevice(1);
        var sink = new ReductionSink();
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None);
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.1), DurationUnit.Epochs, 10, null);
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Run(context, Net(10), Grid, training, [],
            new ReductionSpec("hidden", threshold, negligible, null, tolerance)));
        Assert.Empty(sink.Rows);
    }

    // The name ReductionRun gives the curve (internal there); spelled out so a rename shows up here.
    private const string FineTuneLossArray = "reduction.finetune_loss";

    /// <summary>An in-memory sink that also keeps the reduction results.</summary>
    private sealed class ReductionSink : IRunSink
    {
        public List<(long Step, double Loss)> Rows { get; } = [];

        public Dictionary<string, (int[] Shape, double[] Data)> Arrays { get; } = new();

        public List<ReductionResult> Reductions { get; } = [];

        public void BeginMetrics(IReadOnlyList<string> columns) => Assert.Equal("loss", columns[0]);

        public void AppendMetrics(long step, double epoch, IReadOnlyList<double> values) => Rows.Add((step, values[0]));

        public void WriteArray(string name, IReadOnlyList<int> shape, ReadOnlySpan<double> data) => Arrays[name] = (shape.ToArray(), data.ToArray());

        public void RecordReduction(ReductionResult result) => Reductions.Add(result);

        public void RestartAfterDivergence(DivergenceRetry retry) => throw new InvalidOperationException("These runs do not diverge.");
    }
}
