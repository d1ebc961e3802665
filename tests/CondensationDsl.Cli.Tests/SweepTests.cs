namespace CondensationDsl.Cli.Tests;

/// <summary>`sweep { seed in 1..2 }`: one cell-&lt;hash&gt; folder per cell, each a complete run.</summary>
public sealed class SweepTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    [Fact]
    public void Seed_sweep_writes_one_folder_per_cell()
    {
        var file = sandbox.WriteCond("sweep", TestInputs.Sweep);
        var output = sandbox.NewPath("sweep");
        var result = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report");

        Assert.True(result.ExitCode == 0, result.ToString());
        var cells = Directory.GetDirectories(output);
        Assert.Equal(2, cells.Length);
        Assert.All(cells, cell => Assert.Matches(@"^cell-[0-9a-f]+$", Path.GetFileName(cell)));
        var seeds = cells.Select(cell =>
        {
            Assert.Contains($"completed: {cell}", result.StdOut);
            var run = CondSandbox.ReadRunJson(cell);
            Assert.Equal("completed", run.GetProperty("status").GetString());
            Assert.True(File.Exists(Path.Combine(cell, "metrics.csv")));
            return run.GetProperty("seed").GetInt64();
        }).Order().ToArray();
        Assert.Equal([1L, 2L], seeds);
        Assert.NotEqual(
            File.ReadAllText(Path.Combine(cells[0], "metrics.csv")),
            File.ReadAllText(Path.Combine(cells[1], "metrics.csv")));
    }

    [Fact]
    public void A_sweep_writes_its_summary_and_cond_report_rebuilds_it()
    {
        var file = sandbox.WriteCond("sweep-summary", TestInputs.Sweep);
        var output = sandbox.NewPath("sweep-summary");
        var result = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"sweep: {Path.Combine(output, "sweep.html")}", result.StdOut);
        var csv = File.ReadAllLines(Path.Combine(output, "sweep.csv"));
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("cell,status,m,gamma,seed,wall_seconds,", csv[0]);
        Assert.All(csv.Skip(1), row => Assert.Contains(",completed,20,2,", row));

        File.Delete(Path.Combine(output, "sweep.html"));
        var report = sandbox.Run("report", output);
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Equal(2, report.StdOut.Split("report: ").Length - 1);
        Assert.Contains("seed=1</div>", File.ReadAllText(Path.Combine(output, "sweep.html")));
    }
}
