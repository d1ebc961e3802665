namespace CondensationDsl.Cli.Tests;

/// <summary>The CPU device is bit-reproducible end to end: same file and seed, same metrics.csv bytes.</summary>
public sealed class DeterminismTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    [Fact]
    public async Task Same_seed_gives_identical_metrics_and_another_seed_does_not()
    {
        var file = sandbox.WriteCond("small", TestInputs.Small);
        // Warm the compile cache first, so the three runs below do not race to write it.
        var first = sandbox.NewPath("first");
        var warm = await sandbox.RunAsync("run", file, "-o", first, "--device", "cpu", "--quiet", "--no-report");
        Assert.True(warm.ExitCode == 0, warm.ToString());

        var second = sandbox.NewPath("second");
        var reseeded = sandbox.NewPath("seed2");
        var results = await Task.WhenAll(
            sandbox.RunAsync("run", file, "-o", second, "--device", "cpu", "--quiet", "--no-report"),
            sandbox.RunAsync("run", file, "-o", reseeded, "--device", "cpu", "--quiet", "--no-report", "--set", "seed=2"));
        Assert.All(results, result => Assert.True(result.ExitCode == 0, result.ToString()));

        var metrics = File.ReadAllBytes(Path.Combine(first, "metrics.csv"));
        Assert.Equal(metrics, File.ReadAllBytes(Path.Combine(second, "metrics.csv")));
        Assert.NotEqual(metrics, File.ReadAllBytes(Path.Combine(reseeded, "metrics.csv")));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(first, "arrays", "features.hidden.step0000100.npy")),
            File.ReadAllBytes(Path.Combine(second, "arrays", "features.hidden.step0000100.npy")));

        Assert.Equal(1, CondSandbox.ReadRunJson(first).GetProperty("seed").GetInt64());
        Assert.Equal(2, CondSandbox.ReadRunJson(reseeded).GetProperty("seed").GetInt64());
    }
}
