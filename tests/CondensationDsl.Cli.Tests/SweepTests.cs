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
}
