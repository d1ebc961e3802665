using CondensationDsl.Cli.Output;
using CondensationDsl.Reporting;
using CondensationDsl.Reporting.Figures;
using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>
/// What a cell's run folder gets once the run is over: its `expect` results and, unless --no-report, its figures and
/// report.html; and the same for a cell kept by --resume, without redrawing what it already has.
/// </summary>
internal sealed class CellResults(PreparedExperiment experiment, bool report, CancellationToken cancellation)
{
    /// <summary>
    /// Expectations and report for every cell that recorded anything: a diverged or interrupted run's report shows how
    /// far it got. Runs after the run folder is closed, so metrics.csv is complete.
    /// </summary>
    public CellOutcome Finish(CellOutcome outcome, LiveFigures? live, LiveReport? liveReport)
    {
        if (report)
        {
            // Usually long done (training outlasts it); waiting keeps the two from competing for the cores, and its
            // temporary folder from outliving the process.
            liveReport?.WarmedUp.Wait(cancellation.IsCancellationRequested ? TimeSpan.Zero : Timeout.InfiniteTimeSpan);
        }

        // The figures need only the closed folder, so they are drawn while the expectations are checked and then the page
        // is rendered around them, which shows the expectations; the figures go into it once drawn.
        var figures = report ? Task.Run(() => RunReport.DrawFigures(outcome.Directory, live)) : null;

        IReadOnlyList<ExpectationResult> results = [];
        Task<HtmlReport.PreparedPage>? page = null;
        try
        {
            // A run that did not reach its end has no "end" to check; `cond test` counts the run itself as failed.
            results = CheckExpectations(outcome);
            page = figures is null ? null : PreparePage(outcome.Directory);
        }
        finally
        {
            // Whatever happens here, no figure is still being drawn once Finish returns (its failure is the report's).
            ((IAsyncResult?)figures)?.AsyncWaitHandle.WaitOne();
        }

        return outcome with { Expectations = results, ReportPath = figures is null ? null : TryWriteReport(outcome.Directory, figures, page) };
    }

    /// <summary>The page without its figures, or the reason it could not be rendered (reported with the page).</summary>
    private static Task<HtmlReport.PreparedPage> PreparePage(string directory)
    {
        try
        {
            return Task.FromResult(RunReport.PreparePage(directory));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return Task.FromException<HtmlReport.PreparedPage>(exception);
        }
    }

    private IReadOnlyList<ExpectationResult> CheckExpectations(CellOutcome outcome) =>
        outcome.Status == RunStatus.Completed
            // `expect … where name in [...]` is about the cells with those values only; a summary's (the phase diagram's
            // slope) about the whole sweep, checked once it has run.
            ? RunReport.EvaluateExpectations(
                outcome.Directory, experiment.Loaded.Program.Info.Expectations.Where(e => !e.IsSweepLevel && e.AppliesTo(outcome.Parameters)).ToArray())
            : [];

    /// <summary>
    /// A cell kept by --resume: its expectations are checked again (cheap, from its metrics.csv, and the same source), and
    /// its report is drawn only when it has none (it ran with --no-report), so resuming costs no redrawing.
    /// </summary>
    public CellOutcome Reuse(CellOutcome kept)
    {
        var page = Path.Combine(kept.Directory, Reporting.Report.HtmlReport.FileName);
        var reportPath = !report ? null
            : File.Exists(page) ? page
            : TryWriteReport(kept.Directory, Task.Run(() => RunReport.DrawFigures(kept.Directory)));
        return kept with { Expectations = CheckExpectations(kept), ReportPath = reportPath };
    }

    /// <summary>
    /// A report that cannot be drawn must not cost the run: its files and status are already on disk. The page is the one
    /// prepared while the figures were drawn, or one rendered now.
    /// </summary>
    private static string? TryWriteReport(string directory, Task<IReadOnlyList<FigureFile>> figures, Task<HtmlReport.PreparedPage>? page = null)
    {
        try
        {
            var drawn = figures.GetAwaiter().GetResult();
            var prepared = page is null ? RunReport.PreparePage(directory) : page.GetAwaiter().GetResult();
            return prepared.Write(drawn);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            File.WriteAllText(Path.Combine(directory, RunFolder.ReportErrorFileName), exception.ToString());
            Terminal.Error($"the report could not be written ({exception.GetType().Name}: {exception.Message}); details in report-error.txt. The run's results are complete.");
            return null;
        }
    }
}
