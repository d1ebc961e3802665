using CondensationDsl.Cli.Running;
using CondensationDsl.Reporting;
using Spectre.Console;

namespace CondensationDsl.Cli.Output;

/// <summary>
/// After a sweep, the cells that failed, diverged or did not converge in one place (each was also reported the moment it stopped, but in a
/// long sweep that line has scrolled away): a table on a terminal, plain lines when output is redirected (logs, pipes).
/// Interrupted cells are not listed: Ctrl-C is the user's doing, and `--resume` runs them again.
/// </summary>
public static class FailedCells
{
    public static void Print(IReadOnlyList<CellOutcome> outcomes)
    {
        var failed = outcomes.Where(outcome => outcome.Status is RunStatus.Failed or RunStatus.Diverged or RunStatus.Unconverged).ToArray();
        if (outcomes.Count < 2 || failed.Length == 0)
        {
            return;
        }

        Console.WriteLine($"{failed.Length} of {outcomes.Count} cells did not complete:");
        if (ProgressDisplay.IsInteractive)
        {
            var table = new Table().AddColumns("cell", "status", "message");
            foreach (var outcome in failed)
            {
                table.AddRow(Markup.Escape(NameOf(outcome)), "[red]" + StatusOf(outcome) + "[/]", Markup.Escape(outcome.Message ?? string.Empty));
            }

            AnsiConsole.Write(table);
            return;
        }

        foreach (var outcome in failed)
        {
            Console.WriteLine($"  {NameOf(outcome)}  {StatusOf(outcome)}  {outcome.Message}");
        }
    }

    private static string NameOf(CellOutcome outcome) => outcome.Cell.Label.Length > 0 ? outcome.Cell.Label : Path.GetFileName(outcome.Directory);

    private static string StatusOf(CellOutcome outcome) => outcome.Status.ToString().ToLowerInvariant();
}
