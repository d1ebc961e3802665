using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Tests.Report;

public class RunRecordTests
{
    [Fact]
    public void ReadsWhatRunFolderWrites()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path, status: "diverged");
        var run = RunRecord.Read(dir.Path);
        Assert.Null(run.Problem);
        Assert.Equal("fig1_test", run.Experiment);
        Assert.Equal("diverged", run.Status);
        Assert.Equal("The loss became NaN at step 300.", run.Message);
        Assert.Equal("0.1.0-test", run.ToolVersion);
        Assert.Equal("cpu (test)", run.Device);
        Assert.Equal("7", run.Seed);
        Assert.Equal("abc1234", run.GitCommit);
        Assert.Contains(new KeyValuePair<string, string?>("m", "100"), run.Parameters);
        Assert.Contains(new KeyValuePair<string, string?>("gamma", "4"), run.Parameters);
        Assert.Equal(2.5, run.StartupSeconds);
        Assert.NotNull(run.WallSeconds);
        Assert.NotNull(run.StartUtc);
        Assert.NotNull(run.EndUtc);
        Assert.Equal("300", run.LastObservedStep);
    }

    [Fact]
    public void MissingOrBrokenRunJsonIsAProblemNotAnException()
    {
        using var dir = new TempDirectory();
        Assert.Contains("missing", RunRecord.Read(dir.Path).Problem);
        File.WriteAllText(Path.Combine(dir.Path, "run.json"), "{ \"status\": ");
        Assert.Contains("not valid JSON", RunRecord.Read(dir.Path).Problem);
    }

    [Fact]
    public void MetricsSummaryHasFirstAndLastLossAndFinalClusters()
    {
        var table = MetricsTable.Parse(
            "step,epoch,loss,clusters.hidden,effective_width.hidden,clusters.out\n" +
            "0,0,,1,,\n" +
            "100,100,0.5,2,10,1\n" +
            "200,200,0.25,,,\n" +
            "300,300,0.125,3,,\n");
        var summary = MetricsSummary.From(table);
        Assert.Equal(4, summary.Rows);
        Assert.Equal(new SteppedValue(100, 0.5), summary.FirstLoss);
        Assert.Equal(new SteppedValue(300, 0.125), summary.LastLoss);
        Assert.Equal(["clusters", "effective_width"], summary.Measures);
        Assert.Equal(["hidden", "out"], summary.Layers.Select(l => l.Layer));
        Assert.Equal(new SteppedValue(300, 3), summary.Layers[0].Final["clusters"]);
        Assert.Equal(new SteppedValue(100, 10), summary.Layers[0].Final["effective_width"]);
        Assert.Equal(new SteppedValue(100, 1), summary.Layers[1].Final["clusters"]);
        Assert.False(summary.Layers[1].Final.ContainsKey("effective_width"));
    }
}
