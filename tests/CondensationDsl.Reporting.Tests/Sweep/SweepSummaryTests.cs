using CondensationDsl.Reporting.Sweep;

namespace CondensationDsl.Reporting.Tests.Sweep;

/// <summary>sweep.csv and sweep.html from cell folders alone: rows, swept columns, last values, figures side by side.</summary>
public sealed class SweepSummaryTests : IDisposable
{
    // The smallest valid PNG header bytes are enough: the page embeds files, it does not decode them.
    private static readonly byte[] FakePng = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

    /// <summary>Distinct bytes per cell and file, so a test can tell which file the page embedded where.</summary>
    private static byte[] BytesOf(string cell, string figure) => [.. FakePng, .. System.Text.Encoding.UTF8.GetBytes(cell + "/" + figure)];

    private static string Embedded(string cell, string figure) => "data:image/png;base64," + Convert.ToBase64String(BytesOf(cell, figure));

    private readonly string root = Path.Combine(Path.GetTempPath(), "cond-sweep-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Cell(string id, string gamma, string status, string metrics, params string[] figures)
    {
        var directory = Path.Combine(root, "cell-" + id);
        Directory.CreateDirectory(Path.Combine(directory, "figures"));
        File.WriteAllText(Path.Combine(directory, "run.json"),
            $$"""{ "experiment": "demo", "status": "{{status}}", "wallSeconds": 1.5, "parameters": { "m": 100, "gamma": {{gamma}}, "act": "tanh", "seed": 1 } }""");
        File.WriteAllText(Path.Combine(directory, "metrics.csv"), metrics);
        foreach (var figure in figures)
        {
            File.WriteAllBytes(Path.Combine(directory, "figures", figure), BytesOf(id, figure));
        }

        return directory;
    }

    [Fact]
    public void CsvHasOneRowPerCellWithParametersStatusAndTheLastValueOfEveryColumn()
    {
        var a = Cell("aaa", "0.5", "completed", "step,epoch,loss,clusters.hidden\n0,0,1.0,20\n50,50,0.5,\n100,100,0.25,3\n");
        var b = Cell("bbb", "1", "diverged", "step,epoch,loss,clusters.hidden\n0,0,2.0,7\n10,10,NaN,\n");
        SweepSummary.Write(root, [a, b]);

        var lines = File.ReadAllLines(Path.Combine(root, SweepSummary.CsvFileName));
        Assert.Equal("cell,status,m,gamma,act,seed,wall_seconds,expectations_passed,expectations_total,final.loss,final.clusters.hidden", lines[0]);
        Assert.Equal("cell-aaa,completed,100,0.5,tanh,1,1.5,0,0,0.25,3", lines[1]);

        // A diverged cell's NaN loss is no value: the last value it had stays visible.
        Assert.Equal("cell-bbb,diverged,100,1,tanh,1,1.5,0,0,2,7", lines[2]);
    }

    [Fact]
    public void PageShowsTheSweptValuesAndTheLastSnapshotOfEachCellSideBySide()
    {
        var a = Cell("aaa", "0.5", "completed", "step,epoch,loss\n0,0,1\n",
            "features-hidden-step0000000.png", "features-hidden-step0001000.png", "loss.png");
        var b = Cell("bbb", "1", "completed", "step,epoch,loss\n0,0,1\n", "features-hidden-step0000000.png", "loss.png");
        var html = File.ReadAllText(SweepSummary.Write(root, [a, b]));

        Assert.Contains("2 cells", html);
        Assert.Contains("2 cells over gamma ·", html);
        Assert.DoesNotContain("<th>m</th>", html); // m is the same everywhere: not a swept value
        Assert.Contains(">gamma=0.5</div>", html);
        Assert.Contains(">gamma=1</div>", html);
        Assert.Contains("<h3>features-hidden at the last snapshot</h3>", html);
        Assert.Contains("<h3>loss</h3>", html);
        Assert.Equal(4, html.Split("src=\"data:image/png;base64,").Length - 1);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public void EachCellShowsItsOwnLastSnapshot()
    {
        var a = Cell("aaa", "0.5", "completed", "step,epoch,loss\n", "cosine-hidden-step0000000.png", "cosine-hidden-step0000100.png");
        var b = Cell("bbb", "1", "completed", "step,epoch,loss\n", "cosine-hidden-step0000000.png");
        var html = File.ReadAllText(SweepSummary.Write(root, [a, b]));

        // A cell that stopped early still shows how far it got, in its own column (cell order = argument order).
        var first = html.IndexOf(Embedded("aaa", "cosine-hidden-step0000100.png"), StringComparison.Ordinal);
        var second = html.IndexOf(Embedded("bbb", "cosine-hidden-step0000000.png"), StringComparison.Ordinal);
        Assert.True(first > 0 && second > first, html);
        Assert.DoesNotContain(Embedded("aaa", "cosine-hidden-step0000000.png"), html);
    }

    [Fact]
    public void CellDirectoriesFindsOnlyRunFolders()
    {
        Cell("aaa", "0.5", "completed", "step,epoch\n");
        Directory.CreateDirectory(Path.Combine(root, "cell-empty"));
        Directory.CreateDirectory(Path.Combine(root, "other"));
        Assert.Equal(["cell-aaa"], SweepSummary.CellDirectories(root).Select(Path.GetFileName));
    }
}
