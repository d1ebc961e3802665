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
    public static string Write(string runDirectory, IReadOnlyList<FigureFile> figures) => Prepare(runDirectory).Write(figures);

    /// <summary>
    /// The page without its figures, rendered now from the folder's files (every file but the figures must be final):
    /// a run renders it while its last figures are being drawn, and then only adds them (<see cref="PreparedPage.Write"/>).
    /// </summary>
    public static PreparedPage Prepare(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        var full = Path.GetFullPath(runDirectory);
        var inputs = ReportInputs.Read(full);
        return new PreparedPage(
            full,
            System.Text.Encoding.UTF8.GetBytes(ReportPage.RenderBeforeFigures(inputs)),
            System.Text.Encoding.UTF8.GetBytes(ReportPage.RenderAfterFigures(inputs)));
    }

    /// <summary>report.html of one run folder, all but its figures (<see cref="Prepare"/>).</summary>
    public sealed class PreparedPage
    {
        private readonly string directory;
        private readonly byte[] beforeFigures;
        private readonly byte[] afterFigures;

        internal PreparedPage(string directory, byte[] beforeFigures, byte[] afterFigures)
        {
            this.directory = directory;
            this.beforeFigures = beforeFigures;
            this.afterFigures = afterFigures;
        }

        /// <summary>Writes (atomically replaces) report.html with <paramref name="figures"/> and returns its full path.</summary>
        public string Write(IReadOnlyList<FigureFile> figures)
        {
            ArgumentNullException.ThrowIfNull(figures);
            var path = Path.Combine(directory, FileName);
            AtomicFile.Write(path, stream =>
            {
                stream.Write(beforeFigures);
                FigureSection.Write(stream, directory, figures);
                stream.Write(afterFigures);
            });
            return path;
        }
    }

    /// <summary>The page's HTML, without writing it.</summary>
    public static string Render(string runDirectory, IReadOnlyList<FigureFile> figures)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(figures);
        return ReportPage.Render(ReportInputs.Read(runDirectory), FigureSection.Render(runDirectory, figures));
    }
}
