using CondensationDsl.Reporting.Figures;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// report.html of a run, rebuilt from the run folder's files alone (experiment.cond, run.json, metrics.csv,
/// expectations.json, model.json, reduction.json) plus the figures already drawn, so `cond report &lt;run-dir&gt;` can redo
/// it at any time.
/// </summary>
public static class HtmlReport
{
    public const string FileName = "report.html";

    /// <summary>Writes (atomically replaces) &lt;runDirectory&gt;/report.html and returns its full path.</summary>
    public static string Write(string runDirectory, IReadOnlyList<FigureFile> figures)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(figures);
        var full = Path.GetFullPath(runDirectory);
        var inputs = ReportInputs.Read(full);
        var path = Path.Combine(full, FileName);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(ReportPage.RenderBeforeFigures(inputs)));
            FigureSection.Write(stream, full, figures);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(ReportPage.RenderAfterFigures(inputs)));
        });
        return path;
    }

    /// <summary>The page's HTML, without writing it.</summary>
    public static string Render(string runDirectory, IReadOnlyList<FigureFile> figures)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(figures);
        return ReportPage.Render(ReportInputs.Read(runDirectory), FigureSection.Render(runDirectory, figures));
    }
}
