using System.Text.Json;

namespace CondensationDsl.Reporting.Tests;

public class RunFolderTests
{
    private static RunInfo Info() =>
        new("0.1.0-test", "cpu (test)", 42, new Dictionary<string, double> { ["m"] = 100, ["lr"] = 0.1 }) { IlgpuVersion = "1.5.3" };

    [Fact]
    public void CreatesTimestampedFolderUnderExperiment()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        using var first = RunFolder.Create("fig1_relu_1d", temp.Path, clock);
        using var second = RunFolder.Create("fig1_relu_1d", temp.Path, clock);

        Assert.Equal(Path.Combine(temp.Path, "fig1_relu_1d"), Path.GetDirectoryName(first.Directory));
        Assert.Matches("^20260304-050607-[0-9a-f]{4}$", first.RunId);
        Assert.NotEqual(first.Directory, second.Directory);
        Assert.True(Directory.Exists(first.Directory));
    }

    [Fact]
    public void WritesEveryFileWithItsContents()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var dir = Path.Combine(temp.Path, "out");
        using (var run = RunFolder.At(dir, "fig1", clock))
        {
            run.WriteSource("experiment fig1 \"Figure 1\"\n");
            run.WriteEmitted("// emitted\nclass X {}\n");
            run.Start(Info() with { GitCommit = "0123456789abcdef0123456789abcdef01234567" });
            run.BeginMetrics(["loss", "clusters.hidden"]);
            run.AppendMetrics(0, 0, [0.5, double.NaN]);
            clock.Advance(TimeSpan.FromSeconds(3));
            run.AppendMetrics(100, 100, [0.1 + 0.2, 3]);
            run.WriteArray("features.hidden.100", [2, 3], [1, 2, 3, 4, 5, 6]);
            run.UpdateProgress(150);
            run.Complete();
        }

        Assert.Equal("experiment fig1 \"Figure 1\"\n", File.ReadAllText(Path.Combine(dir, "experiment.cond")));
        Assert.Equal("// emitted\nclass X {}\n", File.ReadAllText(Path.Combine(dir, "Experiment.cs")));
        Assert.Equal("step,epoch,loss,clusters.hidden\n0,0,0.5,\n100,100,0.30000000000000004,3\n", File.ReadAllText(Path.Combine(dir, "metrics.csv")));
        var (shape, data) = Npy.Decode(File.ReadAllBytes(Path.Combine(dir, "arrays", "features.hidden.100.npy")));
        Assert.Equal([2, 3], shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], data);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        var root = json.RootElement;
        Assert.Equal("fig1", root.GetProperty("experiment").GetString());
        Assert.Equal("out", root.GetProperty("runId").GetString());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("message").ValueKind);
        Assert.Equal("0.1.0-test", root.GetProperty("toolVersion").GetString());
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", root.GetProperty("gitCommit").GetString());
        Assert.StartsWith(".NET", root.GetProperty("dotnetVersion").GetString());
        Assert.Equal("1.5.3", root.GetProperty("ilgpuVersion").GetString());
        Assert.Equal("cpu (test)", root.GetProperty("device").GetString());
        Assert.Equal(42UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal(100, root.GetProperty("parameters").GetProperty("m").GetDouble());
        Assert.Equal(0.1, root.GetProperty("parameters").GetProperty("lr").GetDouble());
        Assert.Equal("2026-01-02T03:04:05.0000000Z", root.GetProperty("startUtc").GetString());
        Assert.Equal("2026-01-02T03:04:08.0000000Z", root.GetProperty("endUtc").GetString());
        Assert.Equal(150, root.GetProperty("stepsCompleted").GetInt64());
        Assert.Equal(100, root.GetProperty("lastObservedStep").GetInt64());
        Assert.Equal(2, root.GetProperty("observations").GetInt64());
        Assert.Equal(3.0, root.GetProperty("wallSeconds").GetDouble());
        Assert.Empty(temp.TempFiles());
    }

    [Fact]
    public void ReusingAFolderRemovesTheEarlierRunsOutputsButNotOtherFiles()
    {
        using var temp = new TempDirectory();
        using (var first = RunFolder.At(temp.Path, "e"))
        {
            first.Start(Info());
            first.WriteArray("features.hidden.step0000500", [2, 3], new double[6]);
            first.Complete();
        }

        Directory.CreateDirectory(Path.Combine(temp.Path, "figures"));
        File.WriteAllText(Path.Combine(temp.Path, "figures", "old.png"), "old");
        File.WriteAllText(Path.Combine(temp.Path, RunFolder.ErrorFileName), "old failure");
        File.WriteAllText(Path.Combine(temp.Path, "notes.txt"), "mine");

        using var second = RunFolder.At(temp.Path, "e");

        Assert.False(Directory.Exists(second.ArraysDirectory));
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "figures")));
        Assert.False(File.Exists(Path.Combine(temp.Path, RunFolder.ErrorFileName)));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(temp.Path, "notes.txt")));
    }

    [Fact]
    public void RunJsonSaysRunningWhileTheRunGoesOn()
    {
        using var temp = new TempDirectory();
        using var run = RunFolder.At(temp.Path, "e");
        run.Start(Info());
        run.SetParameters(new Dictionary<string, double> { ["m"] = 7, ["bad"] = double.NaN });
        run.SetSeed(9);
        var root = JsonDocument.Parse(File.ReadAllText(run.RunJsonPath)).RootElement;
        Assert.Equal("running", root.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("endUtc").ValueKind);
        Assert.Equal(7, root.GetProperty("parameters").GetProperty("m").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("parameters").GetProperty("bad").ValueKind);
        Assert.Equal(9UL, root.GetProperty("seed").GetUInt64());
    }

    [Fact]
    public void MetricsRowsRefreshRunJsonAtMostOncePerInterval()
    {
        using var temp = new TempDirectory();
        using var zero = RunFolder.At(Path.Combine(temp.Path, "zero"), "e");
        zero.RunJsonInterval = TimeSpan.Zero;
        zero.Start(Info());
        zero.BeginMetrics(["loss"]);
        zero.AppendMetrics(5, 5, [1]);

        // The default interval is seconds long, so a row right after Start leaves run.json as Start wrote it.
        using var slow = RunFolder.At(Path.Combine(temp.Path, "slow"), "e");
        slow.Start(Info());
        slow.BeginMetrics(["loss"]);
        slow.AppendMetrics(5, 5, [1]);
        var zeroJson = JsonDocument.Parse(File.ReadAllText(zero.RunJsonPath)).RootElement;
        var slowJson = JsonDocument.Parse(File.ReadAllText(slow.RunJsonPath)).RootElement;
        Assert.Equal(5, zeroJson.GetProperty("lastObservedStep").GetInt64());
        Assert.Equal(JsonValueKind.Null, slowJson.GetProperty("lastObservedStep").ValueKind);
    }

    [Fact]
    public void GitCommitIsReadFromTheCurrentWorkTreeWhenNotGiven()
    {
        using var temp = new TempDirectory();
        using var run = RunFolder.At(temp.Path, "e");
        run.Start(Info());
        var root = JsonDocument.Parse(File.ReadAllText(run.RunJsonPath)).RootElement;
        Assert.Equal(GitCommit.Find(Environment.CurrentDirectory), root.GetProperty("gitCommit").GetString());
    }

    [Fact]
    public void ExceptionMidRunKeepsRowsAndRecordsFailure()
    {
        using var temp = new TempDirectory();
        var run = RunFolder.At(temp.Path, "e");
        run.Start(Info());
        run.BeginMetrics(["loss"]);
        try
        {
            Train(run);
        }
        catch (InvalidOperationException e)
        {
            run.Fail(RunStatus.Failed, e.Message);
        }

        // Before Dispose: the rows must already be on disk, as they would be if the process died here.
        var table = MetricsTable.Read(run.MetricsPath);
        Assert.Equal(3, table.Rows.Count);
        var root = JsonDocument.Parse(File.ReadAllText(run.RunJsonPath)).RootElement;
        Assert.Equal("failed", root.GetProperty("status").GetString());
        Assert.Equal("boom at step 30", root.GetProperty("message").GetString());
        Assert.Equal(20, root.GetProperty("lastObservedStep").GetInt64());
        Assert.Equal(20, root.GetProperty("stepsCompleted").GetInt64());
        Assert.Throws<InvalidOperationException>(() => run.AppendMetrics(40, 40, [1]));
        run.Dispose();
        Assert.Empty(temp.TempFiles());

        static void Train(RunFolder sink)
        {
            for (var step = 0; step < 100; step += 10)
            {
                if (step == 30)
                {
                    throw new InvalidOperationException("boom at step 30");
                }

                sink.AppendMetrics(step, step, [1.0 / (step + 1)]);
            }
        }
    }

    [Fact]
    public void DivergedAndInterruptedStatuses()
    {
        using var temp = new TempDirectory();
        using (var diverged = RunFolder.At(Path.Combine(temp.Path, "a"), "e"))
        {
            diverged.Start(Info());
            diverged.Fail(RunStatus.Diverged, "Training diverged at step 12: the loss became NaN.");
            Assert.Equal(RunStatus.Diverged, diverged.Status);
        }

        var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "a", "run.json"))).RootElement;
        Assert.Equal("diverged", a.GetProperty("status").GetString());

        // Disposed without a verdict (e.g. the process is shutting down after Ctrl-C): interrupted.
        using (var abandoned = RunFolder.At(Path.Combine(temp.Path, "b"), "e"))
        {
            abandoned.Start(Info());
        }

        var b = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "b", "run.json"))).RootElement;
        Assert.Equal("interrupted", b.GetProperty("status").GetString());
    }

    [Fact]
    public void FailRejectsNonFailureStatus()
    {
        using var temp = new TempDirectory();
        using var run = RunFolder.At(temp.Path, "e");
        run.Start(Info());
        Assert.Throws<ArgumentException>(() => run.Fail(RunStatus.Completed, "x"));
    }

    [Fact]
    public void RowWithWrongValueCountIsRejected()
    {
        using var temp = new TempDirectory();
        using var run = RunFolder.At(temp.Path, "e");
        run.BeginMetrics(["loss", "reldis.hidden"]);
        Assert.Throws<ArgumentException>(() => run.AppendMetrics(0, 0, [1.0]));
        Assert.Equal("step,epoch,loss,reldis.hidden\n", File.ReadAllText(run.MetricsPath));
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("step")]
    [InlineData("")]
    public void BadColumnNamesAreRejected(string column)
    {
        using var temp = new TempDirectory();
        using var run = RunFolder.At(temp.Path, "e");
        Assert.Throws<ArgumentException>(() => run.BeginMetrics([column]));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    public void ArrayNamesCannotLeaveTheFolder(string name)
    {
        using var temp = new TempDirectory();
        using var run = RunFolder.At(temp.Path, "e");
        Assert.Throws<ArgumentException>(() => run.WriteArray(name, [1], [1.0]));
    }

    [Fact]
    public void RewritingAnArrayReplacesItWithoutLeftovers()
    {
        using var temp = new TempDirectory();
        using var run = RunFolder.At(temp.Path, "e");
        run.WriteArray("w", [2], [1.0, 2.0]);
        run.WriteArray("w", [3], [3.0, 4.0, 5.0]);
        Assert.Equal([3.0, 4.0, 5.0], Npy.Decode(File.ReadAllBytes(Path.Combine(run.ArraysDirectory, "w.npy"))).Data);
        Assert.Equal(["w.npy"], Directory.GetFiles(run.ArraysDirectory).Select(Path.GetFileName));
        Assert.Empty(temp.TempFiles());
    }

    [Fact]
    public void ImplementsTheRuntimeSink() =>
        Assert.True(typeof(CondensationDsl.Runtime.Program.IRunSink).IsAssignableFrom(typeof(RunFolder)));
}
