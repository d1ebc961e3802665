using System.Text.RegularExpressions;
using CondensationDsl.Reporting.Figures;
using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Tests.Report;

public class HtmlReportTests
{
    /// <summary>One stand-in PNG per figure kind (plus an SVG-only one), each a different gradient, under figures/.</summary>
    internal static FigureFile[] WriteFigures(string runDirectory)
    {
        var folder = Path.Combine(runDirectory, "figures");
        Directory.CreateDirectory(folder);
        string[] kinds = ["features", "features-snapshot", "features-snapshot", "cosine", "clusters", "loss"];
        var figures = kinds.Select((kind, i) =>
        {
            var name = $"{kind}-{i}";
            File.WriteAllBytes(Path.Combine(folder, name + ".png"), TestPng.Gradient(320 + 40 * i, 200, i));
            return new FigureFile(name, kind, $"Caption {i} of {kind}: θ against A", Path.Combine("figures", name + ".png"), Path.Combine("figures", name + ".svg"));
        }).ToList();
        File.WriteAllText(Path.Combine(folder, "svg-only.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"50\"><rect width=\"100\" height=\"50\" fill=\"teal\"/></svg>");
        figures.Add(new FigureFile("svg-only", "cosine", "Drawn as SVG only", Path.Combine(folder, "svg-only.png"), Path.Combine(folder, "svg-only.svg")));
        return [.. figures];
    }

    [Fact]
    public void ReportHasFiguresParametersExpectationsAndSource()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        ExpectationsFile.Write(dir.Path, SyntheticRun.Expectations());
        var figures = WriteFigures(dir.Path);

        var path = HtmlReport.Write(dir.Path, figures);

        Assert.Equal(Path.Combine(dir.Path, "report.html"), path);
        Assert.Empty(dir.TempFiles());
        var html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<h1>Condensation grows</h1>", html);
        Assert.Contains("status-completed", html);
        Assert.DoesNotContain("class=\"banner", html);

        // Each figure embedded as its own data URI, with its caption as figcaption.
        foreach (var figure in figures.Where(f => f.Name != "svg-only"))
        {
            var png = File.ReadAllBytes(Path.Combine(dir.Path, figure.PngPath));
            Assert.Contains("src=\"data:image/png;base64," + Convert.ToBase64String(png) + "\"", html);
            Assert.Contains($"<figcaption>{figure.Caption}</figcaption>", html);
        }

        Assert.Contains("src=\"data:image/svg+xml;base64,", html);
        Assert.Equal(figures.Length, Regex.Matches(html, "<figure ").Count);

        // Grouped by kind, in reading order.
        var headings = Regex.Matches(html, "<h3>(.*?)</h3>").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["Parameters", "Environment and timing", "Features: orientation θ and amplitude A of every neuron", "Features, one file per snapshot",
            "Cosine similarity of neurons&#39; input weights", "Clusters and effective width", "Loss"], headings);

        // Parameters and run details.
        Assert.Contains("<td><code>m</code></td><td class=\"mono\">100</td>", html);
        Assert.Contains("<td><code>gamma</code></td><td class=\"mono\">4</td>", html);
        Assert.Contains("<td><code>seed</code></td><td class=\"mono\">7</td>", html);
        Assert.Contains("cpu (test)", html);
        Assert.Contains("abc1234", html);
        Assert.Contains("2.5 s", html);
        Assert.Contains("75.0 s (1 min 15 s)", html);

        // Expectation rows: one pass, one fail.
        Assert.Contains("1 of 2 passed", html);
        Assert.Contains("<td class=\"pass\">PASS</td><td><code>expect clusters(hidden) at 100 &lt;= 4</code></td>", html);
        Assert.Contains("<td class=\"fail\">FAIL</td><td><code>expect loss at end &lt; 1e-3</code></td>", html);

        // Metrics summary: first and last loss, final clusters.
        Assert.Contains("<th>First</th><td class=\"num\">0</td><td class=\"num\">0.75</td>", html);
        Assert.Contains("<th>Last</th><td class=\"num\">300</td><td class=\"num\">0.00123</td>", html);
        Assert.Contains("<th>clusters at end</th>", html);
        Assert.Contains("3 <span class=\"note\">(step 300)</span>", html);

        // The source, highlighted and escaped.
        Assert.Contains("<span class=\"tok-k\">experiment</span> <span class=\"tok-d\">fig1_test</span>", html);
        Assert.Contains("<span class=\"tok-k\">expect</span> <span class=\"tok-b\">clusters</span>(hidden) <span class=\"tok-k\">at</span> <span class=\"tok-n\">100</span> <span class=\"tok-o\">&lt;=</span>", html);
        Assert.Contains("<span class=\"tok-c\"># every parameter ~ N(0, std = m^-gamma)</span>", html);
    }

    [Fact]
    public void PageIsSelfContained()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        var html = HtmlReport.Render(dir.Path, WriteFigures(dir.Path));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        var sources = Regex.Matches(html, "\\s(?:src|href)=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(sources);
        Assert.All(sources, s => Assert.True(s.StartsWith("data:", StringComparison.Ordinal) || s.StartsWith('#'), $"external reference: {s[..Math.Min(s.Length, 60)]}"));
    }

    [Fact]
    public void TextFromFilesIsEscaped()
    {
        using var dir = new TempDirectory();
        const string evil = "<script>alert(1)</script>";
        SyntheticRun.Create(dir.Path, title: evil, parameters: new Dictionary<string, double> { [evil] = 1, ["m"] = 2 });
        var html = HtmlReport.Render(dir.Path, []);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>", html);
        Assert.Contains("<td><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></td>", html);
        Assert.Contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; — fig1_test</title>", html);
    }

    [Fact]
    public void NotCompletedRunShowsItsStatusAndMessageFirst()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path, status: "diverged");
        var html = HtmlReport.Render(dir.Path, []);
        var banner = html.IndexOf("<div class=\"banner\" role=\"alert\"><strong>diverged</strong>: " + SyntheticRun.DivergedMessage + "</div>", StringComparison.Ordinal);
        Assert.True(banner > 0);
        Assert.True(banner < html.IndexOf("id=\"run\"", StringComparison.Ordinal), "the banner comes before the details");
        Assert.Contains("status-diverged", html);
    }

    [Fact]
    public void FolderWithoutFiguresOrExpectationsStillGivesAValidPage()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        var html = File.ReadAllText(HtmlReport.Write(dir.Path, []));
        Assert.Contains("No figures.", html);
        Assert.Contains("No expectation results", html);
        Assert.Contains("<h2>Metrics summary</h2>", html);
        Assert.EndsWith("</html>\n", html);
        AssertBalanced(html);
    }

    [Fact]
    public void EmptyFolderStillGivesAPage()
    {
        using var dir = new TempDirectory();
        var html = File.ReadAllText(HtmlReport.Write(dir.Path, []));
        Assert.Contains("run.json is missing.", html);
        Assert.Contains("metrics.csv is missing.", html);
        Assert.Contains("experiment.cond is missing.", html);
        Assert.Contains("<strong>unknown</strong>", html);
        AssertBalanced(html);
    }

    [Fact]
    public void MissingFigureFileIsShownNotThrown()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        var html = HtmlReport.Render(dir.Path, [new FigureFile("gone", "loss", "Loss against step", "figures/gone.png", "figures/gone.svg")]);
        Assert.Contains("Figure file missing: figures/gone.png", html);
        Assert.Contains("<figcaption>Loss against step</figcaption>", html);
    }

    [Fact]
    public void SameFolderGivesTheSamePage()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        ExpectationsFile.Write(dir.Path, SyntheticRun.Expectations());
        var figures = WriteFigures(dir.Path);
        Assert.Equal(HtmlReport.Render(dir.Path, figures), HtmlReport.Render(dir.Path, figures));
    }

    // The elements the page opens are closed again, in order (void elements aside): a cheap check that no section is left open.
    private static void AssertBalanced(string html)
    {
        var open = new Stack<string>();
        string[] voids = ["meta", "img", "br", "hr", "link", "!doctype"];
        foreach (Match tag in Regex.Matches(html, "<(/?)([a-zA-Z0-9!]+)[^>]*>"))
        {
            var name = tag.Groups[2].Value.ToLowerInvariant();
            if (voids.Contains(name))
            {
                continue;
            }

            if (tag.Groups[1].Value == "/")
            {
                Assert.True(open.Count > 0 && open.Peek() == name, $"</{name}> closes {(open.Count > 0 ? open.Peek() : "nothing")}");
                open.Pop();
            }
            else
            {
                open.Push(name);
            }
        }

        Assert.Empty(open);
    }
}
