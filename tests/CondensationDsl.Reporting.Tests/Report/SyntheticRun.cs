using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Tests.Report;

/// <summary>A run folder written through the real RunFolder (so run.json and metrics.csv have the production format), without training.</summary>
internal static class SyntheticRun
{
    public const string DivergedMessage = "The loss became NaN at step 300.";

    public static string Source(string title) =>
        $"experiment fig1_test \"{title}\"\n\n" +
        "let m     = 100\n" +
        "let gamma = 4.0                     # every parameter ~ N(0, std = m^-gamma)\n\n" +
        "data train = grid(-1, 1, points: 40) {\n  target -relu(x) + relu(2*(x + 0.3))\n}\n\n" +
        "model net {\n  input 1\n  dense hidden(m, relu)\n  dense out(1, bias: false)\n  init normal(std: m^-gamma)\n}\n\n" +
        "train {\n  loss mse\n  optimizer gd(lr: 0.1)\n  epochs 300\n}\n\n" +
        "observe every 100 { loss; clusters hidden (threshold: 0.99) }\n" +
        "expect clusters(hidden) at 100 <= 4\nexpect loss at end < 1e-3\n";

    public static void Create(string directory, string status = "completed", string title = "Condensation grows", IReadOnlyDictionary<string, double>? parameters = null)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var run = RunFolder.At(directory, "fig1_test", clock);
        run.WriteSource(Source(title));
        run.Start(new RunInfo("0.1.0-test", "cpu (test)", 7, parameters ?? new Dictionary<string, double> { ["m"] = 100, ["gamma"] = 4 })
        {
            GitCommit = "abc1234",
            StartupSeconds = 2.5,
        });
        run.BeginMetrics(["loss", "clusters.hidden", "reldis.hidden"]);
        run.AppendMetrics(0, 0, [0.75, 1, 0]);
        clock.Advance(TimeSpan.FromSeconds(30));
        run.AppendMetrics(100, 100, [0.0625, 2, 0.5]);
        clock.Advance(TimeSpan.FromSeconds(45));
        run.AppendMetrics(300, 300, [0.00123, 3, 0.75]);
        run.UpdateProgress(300);
        switch (status)
        {
            case "completed":
                run.Complete();
                break;
            case "diverged":
                run.Fail(RunStatus.Diverged, DivergedMessage);
                break;
            case "interrupted":
                run.Fail(RunStatus.Interrupted, "Interrupted by Ctrl-C at step 300.");
                break;
            default:
                throw new ArgumentException($"Unsupported status '{status}'.", nameof(status));
        }
    }

    /// <summary>Results as ExpectationEvaluator would give for <see cref="Source"/>: one pass, one fail.</summary>
    public static ExpectationResult[] Expectations() =>
    [
        new(new Expectation("clusters.hidden", 100, ComparisonOperator.LessOrEqual, 4, "expect clusters(hidden) at 100 <= 4", 23), 2, true, "clusters.hidden at 100 = 2 (expected <= 4)"),
        new(new Expectation("loss", null, ComparisonOperator.Less, 1e-3, "expect loss at end < 1e-3", 24), 0.00123, false, "loss at end (step 300) = 0.00123 (expected < 0.001)"),
    ];
}
