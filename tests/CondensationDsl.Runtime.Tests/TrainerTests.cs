using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

public class TrainerTests
{
    private static readonly GridDataSpec Grid = new("train", -1, 1, 40, x => Fn.Relu(x[0]) - 0.5 * Fn.Relu(x[0] - 0.3));

    internal static ModelSpec TwoLayer(int width, double std, Activation activation = Activation.Relu) => new("net", 1, [
        new LayerSpec("hidden", LayerKind.Dense, width, activation, true, null),
        new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => std);

    private static TrainingSpec Adam(long steps, double? stop = null) =>
        new(LossKind.Mse, new AdamSpec(1e-2, 0.9, 0.999, 1e-8), DurationUnit.Epochs, steps, stop);

    private static MemorySink Run(IDevice device, ModelSpec model, DataSpec data, TrainingSpec training, IReadOnlyList<ObservationSpec> observations, CancellationToken token = default, MemorySink? sink = null)
    {
        sink ??= new MemorySink();
        var context = new RunContext(device, new Dictionary<string, double>(), sink, null, token);
        Trainer.Run(context, model, data, training, observations);
        return sink;
    }

    /// <summary>
    /// The learning-rate schedule reaches the optimizer: a step schedule with factor 0 after 5 epochs freezes the parameters
    /// (the loss stops moving), and the same run without it keeps moving.
    /// </summary>
    [Fact]
    public void A_step_schedule_sets_the_learning_rate_of_each_epoch()
    {
        using var device = new CpuDevice(2);
        var every = new[] { new ObservationSpec(new EveryScheduleSpec(1), [new LossMeasure()]) };
        var frozen = Adam(12) with { Optimizer = new AdamSpec(1e-2, 0.9, 0.999, 1e-8) { Schedule = new StepSchedule(5, 0) } };
        var loss = Run(device, TwoLayer(20, 0.3), Grid, frozen, every).Column("loss");
        Assert.NotEqual(loss[0], loss[5]);
        Assert.All(loss.Skip(5), value => Assert.Equal(loss[5], value));
        var free = Run(device, TwoLayer(20, 0.3), Grid, Adam(12), every).Column("loss");
        Assert.Equal(loss.Take(6), free.Take(6));
        Assert.NotEqual(free[5], free[^1]);
    }

    /// <summary>
    /// `observe when loss &lt; x`: the observation is taken once, at the first step whose loss meets the condition (beside
    /// step 0 and the end, where every measure is taken), whatever the other schedules.
    /// </summary>
    [Fact]
    public void A_when_observation_fires_once_at_the_first_step_meeting_its_condition()
    {
        using var device = new CpuDevice(2);
        var every = new ObservationSpec(new EveryScheduleSpec(10), [new LossMeasure()]);
        var plain = Run(device, TwoLayer(50, 0.3), Grid, Adam(100), [new ObservationSpec(new EveryScheduleSpec(1), [new LossMeasure()])]).Column("loss");
        var threshold = (plain[0] + plain[^1]) / 2;
        var first = Array.FindIndex(plain, loss => loss < threshold);
        Assert.True(first > 0 && first % 10 != 0, $"pick a threshold crossed between the every-10 rows: step {first}");

        var sink = Run(device, TwoLayer(50, 0.3), Grid, Adam(100), [
            every,
            new ObservationSpec(new WhenScheduleSpec("loss", ComparisonOperator.Less, threshold), [new CosineMeasure("hidden")])]);
        Assert.Contains((long)first, sink.Rows.Select(r => r.Step));
        Assert.Equal(
            [$"cosine.hidden.step{0:D7}", $"cosine.hidden.step{first:D7}", $"cosine.hidden.step{100:D7}"],
            sink.Arrays.Keys.Where(k => k.StartsWith("cosine.", StringComparison.Ordinal)).Order());
        Assert.Equal(plain[first], sink.Rows.Single(r => r.Step == first).Values[0]);
    }

    [Fact]
    public void Rows_fall_at_step_zero_on_the_schedule_and_at_the_final_step()
    {
        using var device = new CpuDevice(2);
        var sink = Run(device, TwoLayer(50, 0.3), Grid, Adam(205), [
            new ObservationSpec(new EveryScheduleSpec(100), [new LossMeasure()]),
            new ObservationSpec(new AtScheduleSpec([7, 150]), [new LossMeasure()])]);
        Assert.Equal(["loss"], sink.Columns);
        Assert.Equal([0L, 7, 100, 150, 200, 205], sink.Rows.Select(r => r.Step));
        Assert.Equal([0.0, 7, 100, 150, 200, 205], sink.Rows.Select(r => r.Epoch));
        var loss = sink.Column("loss");
        Assert.True(loss[^1] < loss[0] / 10, $"Adam should fit the target: {loss[0]} → {loss[^1]}");
    }

    [Fact]
    public void The_stop_rule_ends_training_and_records_the_final_row()
    {
        using var device = new CpuDevice(1);
        var sink = Run(device, TwoLayer(50, 0.3), Grid, Adam(100_000, stop: 1e-3), [new ObservationSpec(new EveryScheduleSpec(1000), [new LossMeasure()])]);
        var last = sink.Rows[^1];
        Assert.True(last.Step < 100_000);
        Assert.True(last.Values[0] < 1e-3);
        Assert.All(sink.Rows.SkipLast(1), row => Assert.True(row.Values[0] >= 1e-3));
    }

    [Fact]
    public void A_diverging_loss_throws_naming_the_step_and_keeps_earlier_rows()
    {
        using var device = new CpuDevice(2);
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(10), DurationUnit.Epochs, 1000, null);
        var sink = new MemorySink();
        var error = Assert.Throws<TrainingDivergedException>(() =>
            Run(device, TwoLayer(20, 1.0, Activation.Linear), Grid, training, [new ObservationSpec(new EveryScheduleSpec(1), [new LossMeasure()])], sink: sink));
        Assert.True(error.Step > 0 && error.Step < 1000);
        Assert.False(double.IsFinite(error.Loss));
        Assert.Contains($"step {error.Step}", error.Message);
        // Every step before the divergent one was observed, and nothing at or after it.
        Assert.Equal(Enumerable.Range(0, (int)error.Step).Select(s => (long)s), sink.Rows.Select(r => r.Step));
        Assert.All(sink.Rows, row => Assert.True(double.IsFinite(row.Values[0])));
    }

    [Fact]
    public void Cancellation_throws_and_keeps_the_rows_recorded_before_it()
    {
        using var device = new CpuDevice(2);
        using var cancel = new CancellationTokenSource();
        var sink = new MemorySink { AfterRow = step => { if (step == 20) cancel.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Run(device, TwoLayer(20, 0.3), Grid, Adam(1000), [new ObservationSpec(new EveryScheduleSpec(10), [new LossMeasure()])], cancel.Token, sink));
        Assert.Equal([0L, 10, 20], sink.Rows.Select(r => r.Step));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Reruns_are_bit_identical(int threads)
    {
        var observations = new[] { new ObservationSpec(new EveryScheduleSpec(1), [new LossMeasure()]) };
        var model = TwoLayer(300, 0.1);
        double[] Losses()
        {
            // threshold 0: every operation takes the threaded path, the one whose order could depend on timing.
            using var device = new CpuDevice(threads) { ParallelThreshold = 0 };
            return Run(device, model, Grid, Adam(300), observations).Column("loss");
        }

        var first = Losses();
        var second = Losses();
        Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits), second.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Sgd_numbers_rows_in_the_declared_unit_with_ceil_n_over_batch_steps_per_epoch()
    {
        using var device = new CpuDevice(2);
        var data = new UniformDataSpec("train", -1, 1, 50, 2, x => x[0] * x[1]);
        var model = new ModelSpec("net", 2, [
            new LayerSpec("hidden", LayerKind.Dense, 30, Activation.Tanh, true, null),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, true, null)], _ => 0.5);
        var training = new TrainingSpec(LossKind.Mse, new SgdSpec(0.05, 16), DurationUnit.Epochs, 30, null);
        var sink = Run(device, model, data, training, [new ObservationSpec(new EveryScheduleSpec(10), [new LossMeasure()])]);
        // Rows are numbered in the declared unit (epochs), the numbering `expect … at N` and array names use.
        Assert.Equal([0L, 10, 20, 30], sink.Rows.Select(r => r.Step));
        Assert.Equal([0.0, 10, 20, 30], sink.Rows.Select(r => r.Epoch));

        // 50 samples in batches of 16 are 4 updates per epoch: counted in steps, 30 steps are 7.5 epochs.
        var bySteps = Run(device, model, data, training with { Unit = DurationUnit.Steps }, [new ObservationSpec(new EveryScheduleSpec(10), [new LossMeasure()])]);
        Assert.Equal([0L, 10, 20, 30], bySteps.Rows.Select(r => r.Step));
        Assert.Equal([0.0, 2.5, 5, 7.5], bySteps.Rows.Select(r => r.Epoch));
        var again = Run(device, model, data, training, [new ObservationSpec(new EveryScheduleSpec(10), [new LossMeasure()])]);
        Assert.Equal(sink.Column("loss"), again.Column("loss"));
        Assert.True(sink.Column("loss")[^1] < sink.Column("loss")[0]);
    }

    [Fact]
    public void An_at_only_schedule_still_records_the_initial_state_and_the_end()
    {
        using var device = new CpuDevice(1);
        var model = new ModelSpec("net", 1, [
            new LayerSpec("hidden", LayerKind.Dense, 6, Activation.Relu, true, null),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.3);
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.05), DurationUnit.Epochs, 30, null);
        var sink = Run(device, model, new GridDataSpec("train", -1, 1, 9, x => x[0]), training, [new ObservationSpec(new AtScheduleSpec([10]), [new LossMeasure()])]);
        Assert.Equal([0L, 10, 30], sink.Rows.Select(r => r.Step));
    }

    [Fact]
    public void Full_batch_gd_step_matches_a_hand_computed_update()
    {
        // One neuron, linear: f(x) = a·(w x + b); loss = mean((f − y)²) on x = {−1, 1}, y = {0, 1}.
        using var device = new CpuDevice(1);
        var data = new GridDataSpec("train", -1, 1, 2, x => x[0] > 0 ? 1 : 0);
        var model = new ModelSpec("net", 1, [
            new LayerSpec("hidden", LayerKind.Dense, 1, Activation.Linear, true, null),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.5);
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.1), DurationUnit.Steps, 1, null);
        var sink = Run(device, model, data, training, [new ObservationSpec(new EveryScheduleSpec(1), [new LossMeasure()])]);

        double w = (float)(0.5 * new Random.RandomStream(1, "init/net/hidden/weight").Normal(0));
        double b = (float)(0.5 * new Random.RandomStream(1, "init/net/hidden/bias").Normal(0));
        double a = (float)(0.5 * new Random.RandomStream(1, "init/net/out/weight").Normal(0));
        double[] xs = [-1, 1], ys = [0, 1];
        double Loss(double w_, double b_, double a_) => xs.Select((x, i) => Math.Pow(a_ * (w_ * x + b_) - ys[i], 2)).Average();
        double gw = 0, gb = 0, ga = 0;
        for (var i = 0; i < 2; i++)
        {
            var r = 2 * (a * (w * xs[i] + b) - ys[i]) / 2;
            gw += r * a * xs[i];
            gb += r * a;
            ga += r * (w * xs[i] + b);
        }

        Assert.Equal(Loss(w, b, a), sink.Rows[0].Values[0], 6);
        Assert.Equal(Loss(w - 0.1 * gw, b - 0.1 * gb, a - 0.1 * ga), sink.Rows[1].Values[0], 6);
    }
}
