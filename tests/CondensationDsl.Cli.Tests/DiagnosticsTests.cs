using System.Text.RegularExpressions;

namespace CondensationDsl.Cli.Tests;

/// <summary>Bad input gives MSBuild-form diagnostics with a source excerpt and the documented exit code, never a stack trace.</summary>
public sealed class DiagnosticsTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    private const string StackTraceMarker = "   at ";

    /// <summary>Malformed variants of the small experiment, each with the line and column of its error.</summary>
    public static TheoryData<string, string, int, int> Malformed => new()
    {
        { "unknown-layer-kind", TestInputs.Small.Replace("dense hidden(m, relu)", "dens hidden(m, relu)"), 9, 3 },
        { "unknown-activation", TestInputs.Small.Replace("dense hidden(m, relu)", "dense hidden(m, rellu)"), 9, 19 },
        { "syntax-error", TestInputs.Small.Replace("let gamma = 2.0", "let gamma = 2.0 +"), 3, 18 },
        { "unknown-name-in-target", TestInputs.Small.Replace("relu(x) - relu", "relu(y) - relu"), 5, 15 },
        { "negative-learning-rate", TestInputs.Small.Replace("gd(lr: 0.1)", "gd(lr: -0.1)"), 15, 0 },
        { "observed-layer-missing", TestInputs.Small.Replace("clusters hidden (", "clusters hiden ("), 18, 0 },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_file_is_reported_in_msbuild_form(string name, string text, int line, int column)
    {
        var file = sandbox.WriteCond(name, text);
        var output = sandbox.NewPath(name);
        var results = await Task.WhenAll(
            sandbox.RunAsync("check", file),
            sandbox.RunAsync("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report"));

        foreach (var result in results)
        {
            Assert.True(result.ExitCode == 1, result.ToString());
            var diagnostic = new Regex($@"^{Regex.Escape(file)}\((\d+),(\d+)\): error COND\d{{4}}: \S.*$", RegexOptions.Multiline).Match(result.StdErr);
            Assert.True(diagnostic.Success, result.ToString());
            Assert.Equal(line, int.Parse(diagnostic.Groups[1].Value));
            if (column > 0)
            {
                Assert.Equal(column, int.Parse(diagnostic.Groups[2].Value));
            }

            // The excerpt: the offending source line, then a caret under the reported column.
            Assert.Matches(new Regex($@"^\s*{line} \| .*\S.*\r?\n\s*\| +\^+", RegexOptions.Multiline), result.StdErr);
            Assert.DoesNotContain(StackTraceMarker, result.StdErr);
            Assert.DoesNotContain(StackTraceMarker, result.StdOut);
            Assert.DoesNotContain("Exception", result.StdErr);
        }

        Assert.False(Directory.Exists(output), "a file with errors must not start a run folder");
    }

    [Theory]
    [InlineData("check")]
    [InlineData("emit")]
    [InlineData("run")]
    [InlineData("test")]
    public void Missing_file_is_COND0901(string command)
    {
        var missing = Path.Combine(sandbox.Root, "no-such-file.cond");
        var result = sandbox.Run(command, missing);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error COND0901:", result.StdErr);
        Assert.Contains(missing, result.StdErr);
        Assert.DoesNotContain(StackTraceMarker, result.StdErr);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("test")]
    public void Unknown_device_is_a_usage_error(string command)
    {
        var result = sandbox.Run(command, CondSandbox.QuickExample, "--device", "gpux");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error COND0905:", result.StdErr);
        Assert.Contains("\"gpux\"", result.StdErr);
        Assert.DoesNotContain(StackTraceMarker, result.StdErr);
    }

    [Fact]
    public void A_device_this_machine_lacks_is_a_diagnostic_not_a_stack_trace()
    {
        // No CI or development machine here has CUDA; on one that does, the run simply starts.
        if (Environment.GetEnvironmentVariable("COND_CUDA_TESTS") == "1")
        {
            return;
        }

        var result = sandbox.Run("run", CondSandbox.QuickExample, "--device", "cuda", "--quiet", "--no-report", "-o", sandbox.NewPath("no-cuda"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error COND0906:", result.StdErr);
        Assert.DoesNotContain(StackTraceMarker, result.StdErr);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("emit")]
    public void An_output_folder_that_cannot_be_written_is_a_diagnostic(string command)
    {
        var blocker = sandbox.NewPath("a-file");
        File.WriteAllText(blocker, "not a folder");
        var result = sandbox.Run(command, CondSandbox.QuickExample, "-o", Path.Combine(blocker, "inside"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error COND0907:", result.StdErr);
        Assert.DoesNotContain(StackTraceMarker, result.StdErr);
    }

    [Fact]
    public void Check_writes_a_sarif_log_for_tools()
    {
        var bad = sandbox.WriteCond("sarif-bad", "experiment x \"t\"\nlet m = 10\nmodel net {\n  input 1\n  dens h(m, relu)\n}\n");
        var result = sandbox.Run("check", bad, CondSandbox.QuickExample, "--diagnostics-format", "sarif");

        Assert.True(result.ExitCode == 1, result.ToString());
        using var log = System.Text.Json.JsonDocument.Parse(result.StdOut);
        Assert.Equal("2.1.0", log.RootElement.GetProperty("version").GetString());
        var run = log.RootElement.GetProperty("runs")[0];
        Assert.Contains(run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray(), rule => rule.GetProperty("id").GetString() == "COND0102");
        var layerKind = run.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "COND0102");
        var region = layerKind.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal(5, region.GetProperty("startLine").GetInt32());
        Assert.Equal(3, region.GetProperty("startColumn").GetInt32());
        Assert.DoesNotContain(run.GetProperty("results").EnumerateArray(), r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()!.Contains("fig1"));
    }

    [Fact]
    public void No_command_is_a_usage_error()
    {
        var result = sandbox.Run();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("cond --help", result.StdErr);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("run", "--bogus")]
    [InlineData("check", "--bogus")]
    [InlineData("emit", "--bogus")]
    [InlineData("test", "--bogus")]
    [InlineData("run", "--quite", "x.cond")]
    [InlineData("frobnicate")]
    [InlineData("run")]
    public void Bad_command_line_is_a_usage_error(params string[] arguments)
    {
        var result = sandbox.Run(arguments);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error", result.StdErr);
        Assert.DoesNotContain(StackTraceMarker, result.StdErr);
    }
}
