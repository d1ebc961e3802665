using System.Diagnostics;
using System.Globalization;

namespace CondensationDsl.Cli.Tests;

/// <summary>
/// Sweeps at scale: `--resume` finishes a stopped sweep without rerunning its results and refuses a changed experiment;
/// failed cells are named at once and tabled at the end; `--jobs N` runs cells side by side with the same bits.
/// </summary>
public sealed class SweepResumeTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    /// <summary>Three cells of about a second each: long enough to stop the sweep between its first and last cell.</summary>
    private static string SlowSweep => TestInputs.Small
        .Replace("epochs 300", "epochs 1000000")
        .Replace("observe every 50", "observe every 100000")
        .Replace("observe at [100] { features hidden; cosine hidden }", "")
        + "sweep { seed in 1..3 }\n";

    private static string[] CellFolders(string sweep) => Directory.GetDirectories(sweep, "cell-*").Order(StringComparer.Ordinal).ToArray();

    private static string Status(string cell) =>
        File.Exists(Path.Combine(cell, "run.json")) ? CondSandbox.ReadRunJson(cell).GetProperty("status").GetString() ?? "" : "";

    private static string StartUtc(string cell) => CondSandbox.ReadRunJson(cell).GetProperty("startUtc").GetString() ?? "";

    [Fact]
    public async Task Killing_a_sweep_midway_and_rerunning_with_resume_finishes_only_the_missing_cells()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // POSIX signals only.
        }

        var file = sandbox.WriteCond("slow-sweep", SlowSweep);
        var output = sandbox.NewPath("resumed");
        var first = await sandbox.RunAsync(["run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report"], sandbox.CacheDirectory, async process =>
        {
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && !(Directory.Exists(output) && CellFolders(output).Any(cell => Status(cell) == "completed")))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "no cell completed");
                await Task.Delay(20);
            }

            using var kill = Process.Start("kill", [InterruptSignal(), process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        });

        Assert.True(first.ExitCode == 130, first.ToString());
        var kept = CellFolders(output).Where(cell => Status(cell) == "completed").ToDictionary(cell => cell, StartUtc);
        Assert.True(kept.Count is >= 1 and < 3, $"the signal should land between the first and the last cell: {kept.Count} completed\n{first}");
        var interrupted = CellFolders(output).Where(cell => Status(cell) == "interrupted").ToDictionary(cell => cell, StartUtc);

        var resumed = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report", "--resume");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var cells = CellFolders(output);
        Assert.Equal(3, cells.Length);
        Assert.All(cells, cell => Assert.Equal("completed", Status(cell)));
        foreach (var (cell, start) in kept)
        {
            Assert.True(start == StartUtc(cell), $"{cell} completed before and must not run again");
        }

        foreach (var (cell, start) in interrupted)
        {
            Assert.True(start != StartUtc(cell), $"{cell} was interrupted and must run again");
        }

        Assert.Equal([1L, 2L, 3L], cells.Select(cell => CondSandbox.ReadRunJson(cell).GetProperty("seed").GetInt64()).Order());
        var csv = File.ReadAllLines(Path.Combine(output, "sweep.csv"));
        Assert.Equal(4, csv.Length); // header and one row per cell, kept ones included
        Assert.All(csv.Skip(1), row => Assert.Contains(",completed,", row));
    }

    /// <summary>
    /// SIGINT as Ctrl-C sends it, unless this process ignores SIGINT (a shell starts background jobs so, and children
    /// inherit it): then SIGTERM, which the same handler stops the same way (InterruptSignal handles both).
    /// </summary>
    private static string InterruptSignal()
    {
        const string status = "/proc/self/status";
        var ignored = OperatingSystem.IsLinux() && File.Exists(status) && File.ReadLines(status)
            .Where(line => line.StartsWith("SigIgn:", StringComparison.Ordinal))
            .Any(line => (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << 1)) != 0);
        return ignored || !OperatingSystem.IsLinux() ? "-TERM" : "-INT";
    }

    [Fact]
    public void Resume_keeps_every_result_of_the_same_experiment_and_refuses_a_changed_one()
    {
        var file = sandbox.WriteCond("resume-refused", TestInputs.Sweep);
        var output = sandbox.NewPath("refused");
        var first = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report");
        Assert.True(first.ExitCode == 0, first.ToString());
        var starts = CellFolders(output).ToDictionary(cell => cell, StartUtc);

        var again = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--no-report", "--resume");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("resume: 2 of 2 cells already have a result (kept); running 0.", again.StdOut);
        Assert.All(starts, pair => Assert.Equal(pair.Value, StartUtc(pair.Key)));
        Assert.Contains($"sweep: {Path.Combine(output, "sweep.html")}", again.StdOut);

        File.AppendAllText(file, "# a comment changes the source\n");
        var refused = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report", "--resume");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("error COND0908:", refused.StdErr);
        Assert.Contains("seed=1", refused.StdErr);
        Assert.All(starts, pair => Assert.Equal(pair.Value, StartUtc(pair.Key)));

        // Without --resume, the changed experiment simply replaces the sweep.
        var replaced = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report");
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        Assert.All(starts, pair => Assert.NotEqual(pair.Value, StartUtc(pair.Key)));
    }

    [Fact]
    public void Diverged_cells_are_named_at_once_tabled_at_the_end_and_kept_by_resume()
    {
        var file = sandbox.WriteCond("diverging-sweep", TestInputs.Diverging + "sweep { seed in 1..2 }\n");
        var output = sandbox.NewPath("diverging-sweep");
        var result = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report");

        // Seed 1 diverges at once, seed 2 survives the huge step: only the first is a failure to list.
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error: diverged (cell seed=1): ", result.StdErr);
        Assert.DoesNotContain("seed=2", result.StdErr);
        var table = result.StdOut[result.StdOut.IndexOf("1 of 2 cells did not complete:", StringComparison.Ordinal)..];
        Assert.Matches(@"^1 of 2 cells did not complete:\n  seed=1  diverged  Training diverged at step \d+", table);
        Assert.DoesNotContain("seed=2", table);
        var starts = CellFolders(output).ToDictionary(cell => cell, StartUtc);

        // A divergence is a result: resuming does not run it again (it would diverge the same way).
        var resumed = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report", "--resume");
        Assert.True(resumed.ExitCode == 1, resumed.ToString());
        Assert.All(starts, pair => Assert.Equal(pair.Value, StartUtc(pair.Key)));
        Assert.Contains("1 of 2 cells did not complete:", resumed.StdOut);
    }

    [Fact]
    public void Jobs_2_gives_byte_identical_metrics_and_arrays_to_jobs_1()
    {
        var file = sandbox.WriteCond("jobs", TestInputs.Small + "sweep { seed in 1..2; m in [20, 30] }\n");
        var sequential = sandbox.NewPath("jobs1");
        var parallel = sandbox.NewPath("jobs2");
        var one = sandbox.Run("run", file, "-o", sequential, "--device", "cpu", "--quiet", "--no-report");
        var two = sandbox.Run("run", file, "-o", parallel, "--device", "cpu", "--no-report", "--jobs", "2");

        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.True(two.ExitCode == 0, two.ToString());
        Assert.Equal(4, two.StdOut.Split("] completed: small ").Length - 1); // one line per finished cell
        var cells = CellFolders(sequential).Select(Path.GetFileName).ToArray();
        Assert.Equal(4, cells.Length);
        Assert.Equal(cells, CellFolders(parallel).Select(Path.GetFileName));
        foreach (var cell in cells)
        {
            var files = Directory.GetFiles(Path.Combine(sequential, cell!, "arrays")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            Assert.NotEmpty(files);
            Assert.Equal(File.ReadAllBytes(Path.Combine(sequential, cell!, "metrics.csv")), File.ReadAllBytes(Path.Combine(parallel, cell!, "metrics.csv")));
            foreach (var array in files)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(sequential, cell!, "arrays", array!)), File.ReadAllBytes(Path.Combine(parallel, cell!, "arrays", array!)));
            }
        }

        // The seeds and widths really differ between cells, so equal files are not equal by accident.
        Assert.Equal(4, cells.Select(cell => File.ReadAllText(Path.Combine(sequential, cell!, "metrics.csv"))).Distinct().Count());
        Assert.Equal(File.ReadAllText(Path.Combine(sequential, "sweep-summary.csv")), File.ReadAllText(Path.Combine(parallel, "sweep-summary.csv")));
    }

    [Fact]
    public void Jobs_below_one_is_a_usage_error()
    {
        var result = sandbox.Run("run", sandbox.WriteCond("jobs0", TestInputs.Sweep), "--jobs", "0");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--jobs must be at least 1", result.StdErr);
    }
}
