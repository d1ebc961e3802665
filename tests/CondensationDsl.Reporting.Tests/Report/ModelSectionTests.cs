using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Tests.Report;

public class ModelSectionTests
{
    [Fact]
    public void ReportOfATrainingRunShowsLayersMultiplicityAndMeasuredClusters()
    {
        using var dir = new TempDirectory();
        ModelFileTests.Train(dir.Path);

        var html = HtmlReport.Render(dir.Path, []);

        Assert.Contains("<section id=\"model\">", html);
        Assert.Contains("<a href=\"#model\">Model</a>", html);
        Assert.Contains("<code>x2tanh</code>", html);
        Assert.Contains("at most 2p = 6 condensed directions early in training", html);
        Assert.Contains("none: p is undefined", html);

        // clusters.first and clusters.second were measured at step 10, the first observation after step 0.
        Assert.Equal(2, CountOf(html, "(step 10)</span>"));
        Assert.Contains("no bound to compare", html);
    }

    [Theory]
    [InlineData(1, 2, "consistent")] // SyntheticRun measures 2 clusters at step 100
    [InlineData(1, 1, "exceeds the 2p bound")]
    [InlineData(null, null, "no bound to compare")]
    public void VerdictComparesTheEarlyClusterCountWithTheBound(int? p, int? bound, string verdict)
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        ModelFile.Write(dir.Path, new ModelDescription("net", 1, [
            new LayerDescription("hidden", "dense", 100, "tanh", true, p, bound),
            new LayerDescription("out", "dense", 1, "linear", false, 1, 2)]));

        var html = HtmlReport.Render(dir.Path, []);

        Assert.Contains("<section id=\"model\">", html);
        Assert.Contains("2 <span class=\"note\">(step 100)</span></td><td>" + verdict + "</td>", html);

        // The output layer has no clusters column.
        Assert.Contains("<td class=\"note\">not measured</td>", html);
    }

    [Theory]
    [InlineData(1, 1, "consistent")]
    [InlineData(2, 3, "more lines than p")]
    [InlineData(3, 3, "consistent")]
    public void WithLinesTheVerdictComparesThemWithP(int p, int lines, string verdict)
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        File.WriteAllText(Path.Combine(dir.Path, "metrics.csv"), $"step,epoch,loss,clusters.hidden,lines.hidden\n0,0,1,40,0\n50,50,0.5,{lines + 2},{lines}\n");
        ModelFile.Write(dir.Path, new ModelDescription("net", 5, [
            new LayerDescription("hidden", "dense", 50, "xtanh", true, p, 2 * p),
            new LayerDescription("out", "dense", 1, "linear", false, 1, 2)]));

        var html = HtmlReport.Render(dir.Path, []);

        var count = lines == 1 ? "1 line" : $"{lines} lines";
        Assert.Contains($"{lines + 2} · {count} <span class=\"note\">(step 50)</span></td><td>{verdict}</td>", html);
    }

    [Fact]
    public void RunFolderWithoutModelJsonHasNoModelSection()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);

        var html = HtmlReport.Render(dir.Path, []);

        Assert.DoesNotContain("id=\"model\"", html);
        Assert.DoesNotContain("#model", html);
        Assert.Contains("<section id=\"metrics\">", html);
    }

    [Fact]
    public void MalformedModelJsonIsReportedNotThrown()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        File.WriteAllText(ModelFile.PathIn(dir.Path), "{ broken");

        var html = HtmlReport.Render(dir.Path, []);

        Assert.Contains("<section id=\"model\">", html);
        Assert.Contains("model.json: not a valid model description", html);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
