using System.Diagnostics;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;
using Xunit.Abstractions;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// The W1 reference workload (shared/bench: m = 1000 ReLU, 80 grid points, Adam 1e-3, 10 000 full-batch steps, 2 threads)
/// timed in-process. Skipped unless COND_PERF=1: it measures, it does not check behaviour, and it wants a quiet machine.
/// Run: COND_PERF=1 dotnet test tests/CondensationDsl.Runtime.Tests -c Release --filter W1 --logger "console;verbosity=detailed"
/// </summary>
public class W1Benchmark(ITestOutputHelper output)
{
    public static bool Enabled => Environment.GetEnvironmentVariable("COND_PERF") == "1";

    [SkippableFactIfPerf]
    public void W1_two_layer_1d_width_1000_10000_adam_steps()
    {
        var model = new ModelSpec("net", 1, [
            new LayerSpec("hidden", LayerKind.Dense, 1000, Activation.Relu, true, null),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => Math.Pow(1000, -2));
        var data = new GridDataSpec("train", -1, 1, 80, x => 0.2 * Fn.Relu(x[0] - 1.0 / 3) + 0.2 * Fn.Relu(-x[0] - 1.0 / 3));
        var training = new TrainingSpec(LossKind.Mse, new AdamSpec(1e-3, 0.9, 0.999, 1e-8), DurationUnit.Epochs, 10_000, null);
        var observations = new[] { new ObservationSpec(new EveryScheduleSpec(1000), [new LossMeasure()]) };
        var times = new List<double>();
        for (var run = 0; run < 7; run++)
        {
            using var device = new CpuDevice(2);
            var sink = new MemorySink();
            var clock = Stopwatch.StartNew();
            Trainer.Run(new RunContext(device, new Dictionary<string, double>(), sink, null, default), model, data, training, observations);
            times.Add(clock.Elapsed.TotalSeconds);
            output.WriteLine($"run {run}: {times[^1]:F3} s, final loss {sink.Rows[^1].Values[0]:G6}");
        }

        times.Sort();
        output.WriteLine($"W1 in-process median of {times.Count}: {times[times.Count / 2]:F3} s (min {times[0]:F3}, max {times[^1]:F3})");
        Assert.True(times[times.Count / 2] < 1.5);
    }
}

/// <summary>A fact that runs only with COND_PERF=1.</summary>
public sealed class SkippableFactIfPerfAttribute : FactAttribute
{
    public SkippableFactIfPerfAttribute()
    {
        if (!W1Benchmark.Enabled)
        {
            Skip = "Performance benchmark: set COND_PERF=1 to run.";
        }
    }
}
