using CondensationDsl.Cli.Output;
using CondensationDsl.Cli.Running;
using CondensationDsl.Language;
using CondensationDsl.Reporting;
using CondensationDsl.Reporting.Sweep;

namespace CondensationDsl.Cli.Commands;

/// <summary>
/// `cond report &lt;dir&gt;`: figures and report.html again, from the folder's files alone. For a sweep folder (cell-*
/// subfolders, no run.json of its own): every cell's report, then sweep.csv and sweep.html.
/// </summary>
public static class ReportCommand
{
    public static int Execute(string directory) => CommandGuard.Run(() =>
    {
        if (File.Exists(Path.Combine(directory, RunFolder.RunJsonFileName)))
        {
            Console.WriteLine($"report: {RunReport.Write(directory)}");
            return ExitCodes.Success;
        }

        var cells = SweepSummary.CellDirectories(directory);
        if (cells.Count == 0)
        {
            throw new CommandFailure(HostDiagnostics.FileNotFound(Path.Combine(directory, RunFolder.RunJsonFileName)));
        }

        foreach (var cell in cells)
        {
            Console.WriteLine($"report: {RunReport.Write(cell)}");
        }

        Console.WriteLine($"sweep: {SweepSummary.Write(directory, cells)}");
        return ExitCodes.Success;
    });
}
