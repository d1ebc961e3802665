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
    /// <summary>Evaluates <paramref name="expectations"/> against the folder's metrics.csv and saves the results; empty when there are none to check.</summary>
    public static IReadOnlyList<ExpectationResult> EvaluateExpectations(string runDirectory, IReadOnlyList<Expectation> expectations)
    {
        var metrics = Path.Combine(runDirectory, RunFolder.MetricsFileName);
        if (expectations.Count == 0 || !File.Exists(metrics))
        {
            return [];
        }

        var results = ExpectationEvaluator.Evaluate(expectations, MetricsTable.Read(metrics));
        ExpectationsFile.Write(runDirectory, results);
        return results;
    }

    /// <summary>
    /// Starts drawing a throw-away synthetic run's figures and report on a background thread, so that the JIT, SkiaSharp's
    /// native start-up and font loading (most of the first report's cost) happen while training keeps the main thread busy
    /// (it is single-threaded, so another core is idle). Never throws; wait for the task before the real report so the two
    /// do not compete and the temporary folder is gone. Changes nothing in any run folder.
    /// </summary>
    public static Task StartWarmUp()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var directory = Path.Combine(Path.GetTempPath(), $"cond-warm-up-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                HtmlReport.Write(directory, FigureWarmUp.Render(directory));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Only a head start: whatever failed here fails again, and is reported, when the real report is drawn.
            }
            finally
            {
                TryDelete(directory);
                done.SetResult();
            }
        })
        {
            IsBackground = true, // An interrupted run must not wait for it.
            Name = "report warm-up",
        };
        thread.Start();
        return done.Task;
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

    /// <summary>Draws the figures and writes report.html; returns the report's path.</summary>
    public static string Write(string runDirectory) =>
        HtmlReport.Write(runDirectory, FigureRenderer.RenderAll(runDirectory));
}
