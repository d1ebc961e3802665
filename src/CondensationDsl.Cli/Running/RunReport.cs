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

    /// <summary>Draws the figures and writes report.html; returns the report's path.</summary>
    public static string Write(string runDirectory) =>
        HtmlReport.Write(runDirectory, FigureRenderer.RenderAll(runDirectory));
}
