using System.Globalization;

namespace CondensationDsl.Cli.Tests;

/// <summary>`cond run` on the quick figure-1 example: the run folder a user gets.</summary>
public sealed class RunFolderTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    [Fact]
    public void Quick_example_writes_a_complete_run_folder()
    {
        var output = sandbox.NewPath("quick");
        var result = sandbox.Run("run", CondSandbox.QuickExample, "-o", output, "--device", "cpu", "--quiet");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("completed: ", result.StdOut);
        Assert.Equal(File.ReadAllText(CondSandbox.QuickExample), File.ReadAllText(Path.Combine(output, "experiment.cond")));
        Assert.Contains("IExperimentProgram", File.ReadAllText(Path.Combine(output, "Experiment.cs")));

        var run = CondSandbox.ReadRunJson(output);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("fig1_relu_1d_quick", run.GetProperty("experiment").GetString());
        Assert.Equal(1, run.GetProperty("seed").GetInt64());
        var parameters = run.GetProperty("parameters");
        Assert.Equal(100, parameters.GetProperty("m").GetDouble());
        Assert.Equal(4.0, parameters.GetProperty("gamma").GetDouble());
        Assert.Equal(1, parameters.GetProperty("seed").GetDouble());
        Assert.StartsWith("cpu", run.GetProperty("device").GetString());
        Assert.True(run.GetProperty("startupSeconds").GetDouble() > 0);
        Assert.False(string.IsNullOrWhiteSpace(run.GetProperty("toolVersion").GetString()));
        Assert.Equal(10000, run.GetProperty("stepsCompleted").GetInt64());

        var (header, rows) = TestInputs.ReadMetrics(output);
        Assert.Equal(["step", "epoch", "loss", "clusters.hidden"], header[..4]);
        Assert.Contains("reldis.hidden", header);
        Assert.All(rows, row => Assert.Equal(header.Length, row.Length));
        var steps = rows.Select(row => long.Parse(row[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(Enumerable.Range(0, 101).Select(i => i * 100L), steps);
        Assert.All(TestInputs.Column(output, "loss"), loss => Assert.True(double.IsFinite(loss) && loss >= 0));

        // `observe at [100, 1000, 5000, 10000]` plus the initial state (step 0).
        var arrays = Path.Combine(output, "arrays");
        var expected = new[] { "features", "cosine", "weights" }
            .SelectMany(kind => new[] { 0, 100, 1000, 5000, 10000 }.Select(step => $"{kind}.hidden.step{step:D7}.npy"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(arrays).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var step in new[] { 0, 100, 1000, 5000, 10000 })
        {
            Assert.Equal([100, 3], TestInputs.ReadNpyShape(Path.Combine(arrays, $"features.hidden.step{step:D7}.npy")));
            Assert.Equal([100, 100], TestInputs.ReadNpyShape(Path.Combine(arrays, $"cosine.hidden.step{step:D7}.npy")));
            Assert.Equal(100, TestInputs.ReadNpyShape(Path.Combine(arrays, $"weights.hidden.step{step:D7}.npy"))[0]);
        }

        Assert.False(Directory.Exists(Path.Combine(sandbox.Root, "runs")), "-o must be the only folder written");
    }
}
