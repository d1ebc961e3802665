using System.Text.RegularExpressions;

namespace CondensationDsl.Cli.Tests;

/// <summary>`cond emit`, `cond check`, `cond devices` and `--help` on every command.</summary>
public sealed class CommandsTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    [Fact]
    public async Task Emit_prints_the_program_or_writes_it_to_a_folder()
    {
        var folder = sandbox.NewPath("emitted");
        var results = await Task.WhenAll(
            sandbox.RunAsync("emit", CondSandbox.QuickExample),
            sandbox.RunAsync("emit", CondSandbox.QuickExample, "-o", folder));
        var (printed, written) = (results[0], results[1]);

        Assert.True(printed.ExitCode == 0, printed.ToString());
        Assert.Contains("IExperimentProgram", printed.StdOut);
        Assert.Equal("", printed.StdErr);

        Assert.True(written.ExitCode == 0, written.ToString());
        var path = Path.Combine(folder, "Experiment.cs");
        Assert.Equal(printed.StdOut, File.ReadAllText(path));
        Assert.Contains("Experiment.cs", written.StdOut);
    }

    [Fact]
    public void Check_accepts_every_example()
    {
        var examples = Directory.GetFiles(Path.Combine(CondSandbox.RepositoryRoot, "examples"), "*.cond").Order(StringComparer.Ordinal).ToArray();
        Assert.Contains(CondSandbox.QuickExample, examples);
        var result = sandbox.Run(["check", .. examples]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("error", result.StdErr);
        foreach (var example in examples)
        {
            Assert.Contains($"{example}: ok", result.StdOut);
        }
    }

    [Fact]
    public void Devices_lists_the_cpu()
    {
        var result = sandbox.Run("devices");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(new Regex(@"^\W*cpu\s", RegexOptions.Multiline), result.StdOut);
        Assert.Contains("ilgpu-cpu", result.StdOut);
        Assert.Contains("auto:", result.StdOut);
    }

    [Fact]
    public async Task Help_works_on_every_command()
    {
        var root = sandbox.Run("--help");
        Assert.True(root.ExitCode == 0, root.ToString());
        var commands = CommandNames(root.StdOut);
        Assert.Superset(new HashSet<string> { "check", "emit", "run", "test", "devices" }, commands.ToHashSet());

        var results = await Task.WhenAll(commands.Select(command => sandbox.RunAsync(command, "--help")));
        foreach (var (command, result) in commands.Zip(results))
        {
            Assert.True(result.ExitCode == 0, $"cond {command} --help: {result}");
            Assert.Contains($"cond {command}", result.StdOut);
            Assert.Equal("", result.StdErr);
        }
    }

    /// <summary>The names listed under "Commands:" in the root help.</summary>
    private static string[] CommandNames(string help)
    {
        var section = help[(help.IndexOf("Commands:", StringComparison.Ordinal) + "Commands:".Length)..];
        return section.Split('\n')
            .TakeWhile(line => line.Length == 0 || char.IsWhiteSpace(line[0]))
            .Select(line => Regex.Match(line, @"^\s+([a-z][a-z-]*)\b"))
            .Where(match => match.Success)
            .Select(match => match.Groups[1].Value)
            .ToArray();
    }
}
