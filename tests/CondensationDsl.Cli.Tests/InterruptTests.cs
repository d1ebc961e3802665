using System.Diagnostics;

namespace CondensationDsl.Cli.Tests;

/// <summary>SIGTERM (as Ctrl-C's SIGINT) stops a run cleanly: exit 130, status "interrupted", recorded rows kept.</summary>
public sealed class InterruptTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    [Fact]
    public async Task Sigterm_stops_the_run_and_keeps_its_rows()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // POSIX signals only.
        }

        var file = sandbox.WriteCond("long", TestInputs.Small
            .Replace("epochs 300", "epochs 100000000")
            .Replace("observe every 50", "observe every 1000")
            .Replace("observe at [100] { features hidden; cosine hidden }", ""));
        var output = sandbox.NewPath("interrupted");
        var metrics = Path.Combine(output, "metrics.csv");

        var result = await sandbox.RunAsync(["run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report"], sandbox.CacheDirectory, async process =>
        {
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && (!File.Exists(metrics) || File.ReadAllLines(metrics).Length < 4))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "training never started");
                await Task.Delay(50);
            }

            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        });

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Contains("interrupted", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        var run = CondSandbox.ReadRunJson(output);
        Assert.Equal("interrupted", run.GetProperty("status").GetString());
        Assert.True(run.GetProperty("stepsCompleted").GetInt64() < 100_000_000);
        var steps = TestInputs.Column(output, "step");
        Assert.True(steps.Length >= 3, $"rows recorded before the signal must be kept ({steps.Length})");
        Assert.Equal(Enumerable.Range(0, steps.Length).Select(i => i * 1000.0), steps);
    }
}
