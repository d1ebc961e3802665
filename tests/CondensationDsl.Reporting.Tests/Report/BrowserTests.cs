using System.Text.RegularExpressions;
using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Tests.Report;

/// <summary>
/// The report in a real browser (issue 3's "opens in Debian's headless Chromium without console errors and its screenshot
/// shows all figures"). Run with: COND_BROWSER_TESTS=1 dotnet test tests/CondensationDsl.Reporting.Tests --filter Browser
/// </summary>
public class BrowserTests
{
    [BrowserFact]
    public void ReportOpensWithoutConsoleErrorsAndItsScreenshotIsNotBlank()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path, status: "diverged");
        ExpectationsFile.Write(dir.Path, SyntheticRun.Expectations());
        var report = HtmlReport.Write(dir.Path, HtmlReportTests.WriteFigures(dir.Path));
        var screenshot = Path.Combine(dir.Path, "screenshot.png");

        var result = HeadlessChromium.Screenshot(report, screenshot);

        Assert.True(result.ExitCode == 0, $"chromium exited with {result.ExitCode}:\n{result.Stderr}");
        Assert.Empty(result.ConsoleMessages);
        Assert.True(File.Exists(screenshot), $"no screenshot:\n{result.Stderr}");
        var png = File.ReadAllBytes(screenshot);
        Assert.Equal((1400, 4000), TestPng.Size(png));

        // Text on white alone gives a few hundred colours (anti-aliasing); the gradient figures give tens of thousands.
        Assert.True(TestPng.DistinctColours(png) > 5000, $"screenshot looks blank: {TestPng.DistinctColours(png)} colours");
    }

    [BrowserFact]
    public void EveryEmbeddedFigureDecodes()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        var figures = HtmlReportTests.WriteFigures(dir.Path);
        var report = HtmlReport.Write(dir.Path, figures);

        // A copy with a probe script (the report itself has none, and its Content-Security-Policy forbids script) that
        // counts images the browser decoded; --dump-dom prints the DOM after the load event.
        var html = File.ReadAllText(report);
        var probe = Regex.Replace(html, "<meta http-equiv=\"Content-Security-Policy\"[^>]*>", string.Empty)
            .Replace("</body>", "<script>addEventListener('load', () => document.body.setAttribute('data-decoded', " +
                                "[...document.images].filter(i => i.complete && i.naturalWidth > 0).length));</script></body>", StringComparison.Ordinal);
        var probePath = Path.Combine(dir.Path, "probe.html");
        File.WriteAllText(probePath, probe);

        var result = HeadlessChromium.DumpDom(probePath);

        Assert.Empty(result.ConsoleMessages);
        Assert.Contains($"data-decoded=\"{figures.Length}\"", result.Stdout);
    }

    [BrowserFact]
    public void ConsoleErrorsAreDetected()
    {
        // The check above is only worth something if a page with errors fails it.
        using var dir = new TempDirectory();
        var page = Path.Combine(dir.Path, "bad.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction();</script></body></html>");
        var result = HeadlessChromium.DumpDom(page);
        Assert.Contains(result.ConsoleMessages, m => m.Contains("Uncaught ReferenceError", StringComparison.Ordinal));
    }
}
