using CondensationDsl.Reporting;
using CondensationDsl.Reporting.Figures;
using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>
/// What a run folder gets after training: the `expect` results (expectations.json), the figures and report.html.
/// `cond report` calls the same code on an existing folder, so a report can always be rebuilt from the files alone.
/// </summary>
public static class RunReport
{
    /// <summary>
    /// Evaluates <paramref name="expectations"/> against the folder's metrics.csv (and reduction.json, embedding.json for the post-training
    /// results) and saves the results; empty when there are none to check.
    /// </summary>
    public static IReadOnlyList<ExpectationResult> EvaluateExpectations(string runDirectory, IReadOnlyList<Expectation> expectations)
    {
        var metrics = Path.Combine(runDirectory, RunFolder.MetricsFileName);
        if (expectations.Count == 0 || !File.Exists(metrics))
        {
            return [];
        }

        var results = ExpectationEvaluator.Evaluate(expectations, MetricsTable.Read(metrics), ReductionFile.Read(runDirectory), EmbeddingFile.Read(runDirectory));
        ExpectationsFile.Write(runDirectory, results);
        return results;
    }

    /// <summary>
    /// Draws a throw-away synthetic run's curves and report in a temporary folder, so that the JIT, SkiaSharp's native
    /// start-up and font loading happen before the real report, on a thread that would otherwise be idle (see
    /// <see cref="LiveReport"/>; the per-snapshot figures are warmed up by the run's own, which it draws as they come).
    /// Never throws; leaves no file behind and changes nothing in any run folder.
    /// </summary>
    public static void WarmUp()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"cond-warm-up-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            HtmlReport.Write(directory, FigureWarmUp.Render(directory, snapshots: false));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Only a head start: whatever failed here fails again, and is reported, when the real report is drawn.
        }
        finally
        {
            TryDelete(directory);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover folder in the temp directory harms nothing.
        }
    }

    /// <summary>
    /// Draws the figures and writes report.html; returns the report's path. With <paramref name="live"/>, the figures it
    /// drew while the run trained are kept, not drawn again (they are the same files).
    /// </summary>
    public static string Write(string runDirectory, LiveFigures? live = null) => WritePage(runDirectory, DrawFigures(runDirectory, live));

    /// <summary>The figures of <see cref="Write"/>, without the page.</summary>
    public static IReadOnlyList<FigureFile> DrawFigures(string runDirectory, LiveFigures? live = null) =>
        FigureRenderer.RenderAll(runDirectory, null, live);

    /// <summary>report.html around <paramref name="figures"/> (drawn by <see cref="DrawFigures"/>); returns its path.</summary>
    public static string WritePage(string runDirectory, IReadOnlyList<FigureFile> figures) => HtmlReport.Write(runDirectory, figures);

    /// <summary>report.html without its figures, to be written once they are drawn (<see cref="HtmlReport.Prepare"/>).</summary>
    public static HtmlReport.PreparedPage PreparePage(string runDirectory) => HtmlReport.Prepare(runDirectory);
}
