namespace CondensationDsl.Cli.Tests;

/// <summary>The first run on an empty COND_CACHE_DIR compiles and stores one assembly; the next run reuses it.</summary>
public sealed class CompileCacheTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    [Fact]
    public async Task Second_run_reuses_the_cached_assembly()
    {
        var cache = sandbox.NewPath("empty-cache");
        var file = sandbox.WriteCond("small", TestInputs.Small);

        var cold = await sandbox.RunAsync(["run", file, "-o", sandbox.NewPath("cold"), "--device", "cpu", "--quiet", "--no-report"], cache);
        Assert.True(cold.ExitCode == 0, cold.ToString());
        var entries = Directory.GetFiles(cache);
        var assembly = Assert.Single(entries);
        Assert.EndsWith(".dll", assembly);
        var written = File.GetLastWriteTimeUtc(assembly);
        var bytes = File.ReadAllBytes(assembly);

        var warmOutput = sandbox.NewPath("warm");
        var warm = await sandbox.RunAsync(["run", file, "-o", warmOutput, "--device", "cpu", "--quiet", "--no-report"], cache);
        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Equal(entries, Directory.GetFiles(cache));
        Assert.Equal(written, File.GetLastWriteTimeUtc(assembly));
        Assert.Equal(bytes, File.ReadAllBytes(assembly));
        Assert.Equal("completed", CondSandbox.ReadRunJson(warmOutput).GetProperty("status").GetString());
    }
}
