using CondensationDsl.Reporting;
using CondensationDsl.Reporting.Sweep;

namespace CondensationDsl.Cli.Running;

/// <summary>A sweep's own results (sweep.csv, sweep.html) beside its cell folders, after `cond run` or `cond test`.</summary>
public static class SweepResults
{
    /// <summary>
    /// Writes the summary when the outcomes are the cells of a sweep; returns the path of sweep.html, or null for a single
    /// run or when the summary could not be written (a warning says why: the runs' own folders are complete regardless).
    /// </summary>
    public static string? TryWrite(IReadOnlyList<CellOutcome> outcomes)
    {
        if (outcomes.Count < 2 || Path.GetDirectoryName(outcomes[0].Directory) is not { } sweepDirectory)
        {
            return null;
        }

        try
        {
            return SweepSummary.Write(sweepDirectory, outcomes.Select(outcome => outcome.Directory).ToArray());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            Console.Error.WriteLine($"warning: the sweep summary could not be written: {ex.Message}");
            return null;
        }
    }

    /// <summary>
    /// The results of the sweep's own expectations (`expect slope …`), as <see cref="TryWrite"/> wrote them; empty for a
    /// single run or a sweep without any.
    /// </summary>
    public static IReadOnlyList<ExpectationResult> Expectations(IReadOnlyList<CellOutcome> outcomes) =>
        outcomes.Count < 2 || Path.GetDirectoryName(outcomes[0].Directory) is not { } sweepDirectory
            ? []
            : SweepSummary.ReadSweepExpectations(sweepDirectory);
}
