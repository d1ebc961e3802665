namespace CondensationDsl.Cli.Tests;

/// <summary>`--set name=value`: unknown names and ill-typed values are usage errors (exit 2); a valid one reaches the run.</summary>
public sealed class SetOptionTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    private string SmallFile { get; } = sandbox.WriteCond("small", TestInputs.Small);

    [Theory]
    [InlineData("gamm=3", "COND0903", "Did you mean \"gamma\"")]
    [InlineData("width=3", "COND0903", "Settable parameters: m, gamma, seed")]
    [InlineData("m=abc", "COND0904", "integer")]
    [InlineData("m=2.5", "COND0904", "integer")]
    [InlineData("seed=1.5", "COND0904", "integer")]
    [InlineData("gamma=fast", "COND0904", "real")]
    [InlineData("m", "COND0904", "integer")]
    [InlineData("m=0", "COND0401", "with m = 0")]
    [InlineData("seed=-1", "COND0401", "seed must be a whole number")]
    public void Bad_set_is_a_usage_error(string assignment, string code, string hint)
    {
        var output = sandbox.NewPath("bad-set");
        var result = sandbox.Run("run", SmallFile, "--set", assignment, "-o", output, "--device", "cpu", "--quiet", "--no-report");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"error {code}:", result.StdErr);
        Assert.Contains(hint, result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.False(Directory.Exists(output), "a usage error must not start a run folder");
    }

    [Fact]
    public void Valid_set_changes_the_resolved_parameters_and_the_shapes()
    {
        var output = sandbox.NewPath("set");
        var result = sandbox.Run("run", SmallFile, "--set", "m=30", "-s", "gamma=1.5", "--set", "seed=7", "-o", output, "--device", "cpu", "--quiet", "--no-report");

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = CondSandbox.ReadRunJson(output);
        var parameters = run.GetProperty("parameters");
        Assert.Equal(30, parameters.GetProperty("m").GetDouble());
        Assert.Equal(1.5, parameters.GetProperty("gamma").GetDouble());
        Assert.Equal(7, parameters.GetProperty("seed").GetDouble());
        Assert.Equal(7, run.GetProperty("seed").GetInt64());
        Assert.Equal([30, 3], TestInputs.ReadNpyShape(Path.Combine(output, "arrays", "features.hidden.step0000100.npy")));
        Assert.Equal([30, 30], TestInputs.ReadNpyShape(Path.Combine(output, "arrays", "cosine.hidden.step0000100.npy")));
    }
}
