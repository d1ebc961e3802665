using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>`on divergence halve lr, retry N`: a diverging training starts again with half the learning rate.</summary>
public class DivergenceRetryTests
{
    private static readonly GridDataSpec Grid = new("train", -1, 1, 40, x => Fn.Relu(x[0]) - 0.5 * Fn.Relu(x[0] - 0.3));

    // Gradient descent at lr 64 on this net (linear hidden units: nothing saturates or dies) diverges within a few steps;
    // a few halvings bring it to a stable rate.
    private static TrainingSpec Gd(double lr, int retries) => new(LossKind.Mse, new GdSpec(lr), DurationUnit.Epochs, 200, null, retries);

    private static MemorySink Run(TrainingSpec training)
    {
        using var device = new CpuDevice(1);
        var sink = new MemorySink();
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None);
        Trainer.Run(context, TrainerTests.TwoLayer(20, 0.5, Activation.Linear), Grid, training, [new ObservationSpec(new EveryScheduleSpec(50), [new LossMeasure()])]);
        return sink;
    }

    [Fact]
    public void Without_retries_the_divergence_ends_the_run()
    {
        Assert.Throws<TrainingDivergedException>(() => Run(Gd(64, retries: 0)));
    }

    [Fact]
    public void Each_retry_halves_the_rate_and_the_results_are_the_last_attempts()
    {
        var sink = Run(Gd(64, retries: 10));
        Assert.NotEmpty(sink.Retries);
        var rate = 64.0;
        for (var i = 0; i < sink.Retries.Count; i++)
        {
            var retry = sink.Retries[i];
            Assert.Equal(i + 1, retry.Attempt);
            Assert.Equal(rate, retry.LearningRate);
            Assert.Equal(rate / 2, retry.NextLearningRate);
            Assert.False(double.IsFinite(retry.Loss) && retry.Loss < 1e30, $"attempt {retry.Attempt} diverged with loss {retry.Loss}");
            rate /= 2;
        }

        // Only the completing attempt's rows: from step 0 to the end, once each, all finite.
        Assert.Equal([0L, 50, 100, 150, 200], sink.Rows.Select(row => row.Step));
        Assert.All(sink.Column("loss"), loss => Assert.True(double.IsFinite(loss)));

        // The same training started at the rate the retries ended with gives the same rows.
        var direct = Run(Gd(rate, retries: 0));
        Assert.Equal(direct.Column("loss"), sink.Column("loss"));
    }

    [Fact]
    public void When_the_retries_run_out_the_last_divergence_ends_the_run()
    {
        var sink = new MemorySink();
        using var device = new CpuDevice(1);
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None);
        Assert.Throws<TrainingDivergedException>(() => Trainer.Run(context, TrainerTests.TwoLayer(20, 0.5, Activation.Linear), Grid, Gd(1e12, retries: 2),
            [new ObservationSpec(new EveryScheduleSpec(50), [new LossMeasure()])]));
        Assert.Equal(2, sink.Retries.Count);
    }
}
