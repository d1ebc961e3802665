using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// `embed` after training (SCIENCE.md §3 row 6.2) through Trainer.Run: the trained net is split and the wide net checked
/// against it. The Analysis project tests the algebra on hand-made nets; these test the run: a real trained network read
/// back from the device, the data, and what reaches the sink.
/// </summary>
public sealed class EmbeddingRunTests
{
    private static readonly GridDataSpec Grid = new("train", -1, 1, 12, x => Math.Sin(3 * x[0]));

    private static ModelSpec Net(int width, Activation activation = Activation.Tanh) => new("net", 1, [
        new LayerSpec("hidden", LayerKind.Dense, width, activation, true, null),
        new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.5);

    private static Embedding.EmbeddingResult TrainAndEmbed(ModelSpec model, EmbeddingSpec embedding, long epochs)
    {
        using var device = new CpuDevice(2);
        var sink = new MemorySink();
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None);
        var training = new TrainingSpec(LossKind.Mse, new AdamSpec(1e-2, 0.9, 0.999, 1e-8), DurationUnit.Epochs, epochs, null);
        Trainer.Run(context, model, Grid, training, [new ObservationSpec(new EveryScheduleSpec(1000), [new LossMeasure()])], embedding);
        return Assert.Single(sink.Embeddings);
    }

    [Fact]
    public void A_trained_net_split_in_two_computes_the_same_function_stays_critical_and_keeps_its_hessian_counts()
    {
        var result = TrainAndEmbed(Net(3), new EmbeddingSpec("hidden", 1, 0.3, 1e-6), epochs: 3000);

        Assert.Equal(("hidden", 1, 0.3, 3, 4), (result.Layer, result.Neuron, result.Split, result.WidthBefore, result.WidthAfter));
        Assert.True(result.FunctionGap <= 1e-12, $"gap {result.FunctionGap}");
        Assert.True(Math.Abs(result.LossAfter - result.LossBefore) <= 1e-12, $"loss {result.LossBefore} → {result.LossAfter}");

        // ∂L/∂a of both copies equals the narrow ∂L/∂a_k, ∂L/∂(w, b) splits as s and 1 − s: ‖∇L‖ grows by at most √2.
        Assert.True(result.GradientNormBefore < 1e-2, $"training should end near a critical point, ‖∇L‖ = {result.GradientNormBefore}");
        Assert.True(result.GradientNormAfter <= Math.Sqrt(2) * result.GradientNormBefore + 1e-12);

        var before = Assert.IsType<Embedding.HessianCounts>(result.HessianBefore);
        var after = Assert.IsType<Embedding.HessianCounts>(result.HessianAfter);
        Assert.Equal(3 * 3, before.Positive + before.Zero + before.Negative);
        Assert.Equal(4 * 3, after.Positive + after.Zero + after.Negative);
        Assert.True(after.Positive >= before.Positive && after.Zero >= before.Zero && after.Negative >= before.Negative, $"{before} → {after}");
        Assert.True(after.Zero > before.Zero, "the split adds at least one flat direction (moving output weight between the copies)");
        Assert.Null(result.HessianSkipped);
    }

    [Fact]
    public void Hessians_of_too_many_parameters_are_skipped_with_the_reason()
    {
        var result = TrainAndEmbed(Net(250, Activation.Relu), new EmbeddingSpec("hidden", 0, 0.5, 1e-6), epochs: 10);
        Assert.Null(result.HessianBefore);
        Assert.Null(result.HessianAfter);
        Assert.Contains("753 parameters", result.HessianSkipped);
        Assert.True(result.FunctionGap <= 1e-12);
    }

    [Fact]
    public void A_net_that_is_not_two_layers_or_a_neuron_out_of_range_is_refused_before_training()
    {
        var deep = new ModelSpec("net", 1, [
            new LayerSpec("hidden", LayerKind.Dense, 3, Activation.Tanh, true, null),
            new LayerSpec("second", LayerKind.Dense, 3, Activation.Tanh, true, null),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.5);
        Assert.Throws<ArgumentException>(() => TrainAndEmbed(deep, new EmbeddingSpec("hidden", 0, 0.5, 1e-6), epochs: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainAndEmbed(Net(3), new EmbeddingSpec("hidden", 3, 0.5, 1e-6), epochs: 1));
    }
}
