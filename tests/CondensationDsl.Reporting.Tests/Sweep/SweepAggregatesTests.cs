using CondensationDsl.Reporting.Sweep;

namespace CondensationDsl.Reporting.Tests.Sweep;

/// <summary>sweep-summary.csv: with a swept seed, the cells grouped by every other parameter, n and mean/std of each final metric.</summary>
public sealed class SweepAggregatesTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "cond-aggregates-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Cell(string gamma, int seed, string status, string metrics)
    {
        var directory = Path.Combine(root, $"cell-{gamma}-{seed}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "run.json"),
            $$"""{ "experiment": "demo", "status": "{{status}}", "wallSeconds": 1, "parameters": { "m": 100, "gamma": {{gamma}}, "seed": {{seed}} } }""");
        File.WriteAllText(Path.Combine(directory, "metrics.csv"), metrics);
        return directory;
    }

    private string[] Summary() => File.ReadAllLines(Path.Combine(root, SweepSummary.AggregatesFileName));

    [Fact]
    public void GroupsBySweptValuesOtherThanSeedWithHandCheckedMeanAndSampleStd()
    {
        string[] cells =
        [
            Cell("0.5", 1, "completed", "step,epoch,loss,clusters.hidden\n0,0,9,9\n100,100,1,3\n"),
            Cell("0.5", 2, "completed", "step,epoch,loss,clusters.hidden\n0,0,9,9\n100,100,2,3\n"),
            Cell("0.5", 3, "completed", "step,epoch,loss,clusters.hidden\n0,0,9,9\n100,100,4,3\n"),
            Cell("1", 1, "completed", "step,epoch,loss,clusters.hidden\n0,0,9,9\n100,100,0.5,2\n"),
            Cell("1", 2, "diverged", "step,epoch,loss,clusters.hidden\n0,0,7,7\n10,10,NaN,\n"),
        ];
        SweepSummary.Write(root, cells);

        var lines = Summary();
        Assert.Equal("m,gamma,n,not_completed,mean.loss,std.loss,mean.clusters.hidden,std.clusters.hidden", lines[0]);
        // loss 1, 2, 4: mean 7/3; deviations −4/3, −1/3, 5/3; Σ² = 42/9; / (n − 1) = 7/3; √(7/3) = 1.52753.
        // clusters 3, 3, 3: mean 3, std 0 exactly.
        Assert.Equal("100,0.5,3,0,2.33333,1.52753,3,0", lines[1]);
        // The diverged cell is counted apart, not averaged in; one completed cell has no spread.
        Assert.Equal("100,1,1,1,0.5,,2,", lines[2]);
        Assert.Equal(3, lines.Length);

        var html = File.ReadAllText(Path.Combine(root, SweepSummary.HtmlFileName));
        Assert.Contains("<h2>Over seeds</h2>", html);
        Assert.Contains("<td>2.33333 ± 1.52753</td>", html);
    }

    [Fact]
    public void AMetricMissingInACompletedCellHasNoMean()
    {
        string[] cells =
        [
            Cell("0.5", 1, "completed", "step,epoch,loss,reldis.hidden\n100,100,1,0.5\n"),
            Cell("0.5", 2, "completed", "step,epoch,loss\n100,100,3\n"),
        ];
        SweepSummary.Write(root, cells);
        Assert.Equal("100,0.5,2,0,2,1.41421,,", Summary()[1]);
    }

    [Fact]
    public void WithoutASweptSeedThereIsNoSummaryAndAnEarlierOneIsRemoved()
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, SweepSummary.AggregatesFileName), "stale");
        string[] cells =
        [
            Cell("0.5", 1, "completed", "step,epoch,loss\n100,100,1\n"),
            Cell("1", 1, "completed", "step,epoch,loss\n100,100,2\n"),
        ];
        SweepSummary.Write(root, cells);
        Assert.False(File.Exists(Path.Combine(root, SweepSummary.AggregatesFileName)));
        Assert.DoesNotContain("Over seeds", File.ReadAllText(Path.Combine(root, SweepSummary.HtmlFileName)));
    }
}
