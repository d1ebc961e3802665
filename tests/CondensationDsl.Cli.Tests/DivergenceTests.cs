using System.Globalization;
using System.Text.RegularExpressions;

namespace CondensationDsl.Cli.Tests;

/// <summary>A run whose loss overflows stops with status "diverged", names the step, and keeps the rows before it.</summary>
public sealed class DivergenceTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    [Fact]
    public void Huge_learning_rate_diverges_and_keeps_earlier_rows()
    {
        var file = sandbox.WriteCond("diverging", TestInputs.Diverging);
        var output = sandbox.NewPath("diverged");
        var result = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("diverged", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);

        var run = CondSandbox.ReadRunJson(output);
        Assert.Equal("diverged", run.GetProperty("status").GetString());
        var message = run.GetProperty("message").GetString() ?? "";
        var step = Regex.Match(message, @"step (\d+)");
        Assert.True(step.Success, $"the message names no step: {message}");
        var divergedAt = long.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(divergedAt >= 2, $"expected a few steps before divergence: {message}");

        // Every step is observed, so the rows are exactly steps 0 .. divergedAt-1, each with a finite loss.
        var steps = TestInputs.Column(output, "step");
        Assert.Equal(Enumerable.Range(0, (int)divergedAt).Select(i => (double)i), steps);
        Assert.All(TestInputs.Column(output, "loss"), loss => Assert.True(double.IsFinite(loss)));
        Assert.False(File.Exists(Path.Combine(output, "error.txt")), "divergence is not an internal error");
    }

    [Fact]
    public void Halving_the_rate_after_each_divergence_completes_the_run_and_records_the_retries()
    {
        // lr 1e4 diverges; 2^14 halvings later (0.61) training is stable.
        var file = sandbox.WriteCond("retrying", TestInputs.Diverging.Replace("epochs 300", "epochs 300\n  on divergence halve lr, retry 20"));
        var output = sandbox.NewPath("retried");
        var result = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet");

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = CondSandbox.ReadRunJson(output);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        var retries = run.GetProperty("retries").EnumerateArray().ToArray();
        Assert.NotEmpty(retries);
        Assert.Equal(1e4, retries[0].GetProperty("learningRate").GetDouble());
        Assert.Equal(retries[^1].GetProperty("learningRate").GetDouble() / 2, retries[^1].GetProperty("nextLearningRate").GetDouble());

        // The table holds the completing attempt only: every step from 0, once, with a finite loss; the report was drawn.
        var steps = TestInputs.Column(output, "step");
        Assert.Equal(steps.Distinct().Count(), steps.Length);
        Assert.Equal(0, steps[0]);
        Assert.Equal(300, steps[^1]);
        Assert.All(TestInputs.Column(output, "loss"), loss => Assert.True(double.IsFinite(loss)));
        Assert.True(File.Exists(Path.Combine(output, "report.html")));
    }
}
