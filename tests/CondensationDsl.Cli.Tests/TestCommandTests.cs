using System.Text.Json;
using System.Text.RegularExpressions;

namespace CondensationDsl.Cli.Tests;

/// <summary>`cond test`: runs the file, checks every `expect`, prints a table and a summary line; exit 1 on any failure.</summary>
public sealed class TestCommandTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    /// <summary>The examples are the paper's figures: each must keep showing its effect (its `expect` clauses), report included.</summary>
    [Fact]
    public void Every_example_passes_its_expectations_with_figures_and_report()
    {
        var examples = Directory.GetFiles(Path.Combine(CondSandbox.RepositoryRoot, "examples"), "*.cond").Order().ToArray();
        var output = sandbox.NewPath("examples");
        // Two jobs: the sweeps (figures 5 and 7: 284 runs) are most of it; 2-core CI machines finish in about 2 minutes.
        var result = sandbox.Run(TimeSpan.FromMinutes(10), ["test", .. examples, "--device", "cpu", "-o", output, "--jobs", "2"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(new Regex(@"^\d+ passed, 0 failed\s*$", RegexOptions.Multiline), result.StdOut);
        // Every run folder (one per example, one per cell of a sweep) has its report and figures; every example has runs.
        var runs = Directory.GetFiles(output, "run.json", SearchOption.AllDirectories).Select(file => Path.GetDirectoryName(file)!).ToArray();
        Assert.All(runs, run =>
        {
            Assert.True(File.Exists(Path.Combine(run, "report.html")), run);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "figures"), "*.png"));
        });
        Assert.Equal(examples.Length, runs.Select(run => Path.GetRelativePath(output, run).Split(Path.DirectorySeparatorChar)[0]).Distinct().Count());
        Assert.Equal(
            runs.Count(run => Path.GetFileName(run).StartsWith("cell-", StringComparison.Ordinal)) > 0,
            Directory.GetFiles(output, "sweep.html", SearchOption.AllDirectories).Length > 0);
    }

    [Fact]
    public async Task Holding_expectations_pass_and_a_false_one_fails()
    {
        var passing = sandbox.WriteCond("passing", TestInputs.Small + TestInputs.PassingExpectations);
        var failing = sandbox.WriteCond("failing", TestInputs.Small + TestInputs.FailingExpectation);
        var failingOutput = sandbox.NewPath("failing-runs");
        var results = await Task.WhenAll(
            sandbox.RunAsync("test", passing, "--device", "cpu", "--no-report"),
            sandbox.RunAsync("test", failing, "--device", "cpu", "--no-report", "-o", failingOutput));
        var (pass, fail) = (results[0], results[1]);

        Assert.True(pass.ExitCode == 0, pass.ToString());
        Assert.Matches(new Regex(@"^2 passed, 0 failed\s*$", RegexOptions.Multiline), pass.StdOut);
        Assert.DoesNotContain("FAIL", pass.StdOut);
        Assert.Contains("pass", pass.StdOut);
        // Without -o the runs go to a temporary folder that is removed when everything passes.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(sandbox.Root, "tmp")));

        Assert.True(fail.ExitCode == 1, fail.ToString());
        Assert.Matches(new Regex(@"^1 passed, 1 failed\s*$", RegexOptions.Multiline), fail.StdOut);
        Assert.Contains("FAIL", fail.StdOut);
        Assert.Contains("1e-30", fail.StdOut);
        Assert.Contains(Path.GetFullPath(failingOutput), fail.StdOut);
        var runJson = Directory.GetFiles(failingOutput, "run.json", SearchOption.AllDirectories);
        Assert.Single(runJson);
        var runFolder = Path.GetDirectoryName(runJson[0])!;
        Assert.Equal("completed", CondSandbox.ReadRunJson(runFolder).GetProperty("status").GetString());
        using var expectations = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "expectations.json")));
        Assert.Equal(
            [("loss at end < 1e-30", false), ("clusters(hidden) at end >= 1", true)],
            expectations.RootElement.EnumerateArray().Select(result => (result.GetProperty("expectation").GetString(), result.GetProperty("passed").GetBoolean())));
    }

    [Fact]
    public void A_file_with_errors_fails_the_test_run()
    {
        var broken = sandbox.WriteCond("broken", TestInputs.Small.Replace("epochs 300", "epochs -3") + TestInputs.PassingExpectations);
        var result = sandbox.Run("test", broken, "--device", "cpu", "--no-report", "-o", sandbox.NewPath("broken-runs"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error COND", result.StdErr);
        Assert.Contains("FAIL", result.StdOut);
        Assert.DoesNotContain("   at ", result.StdErr);
    }
}
