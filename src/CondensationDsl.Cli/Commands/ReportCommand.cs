using CondensationDsl.Cli.Output;
using CondensationDsl.Cli.Running;
using CondensationDsl.Language;
using CondensationDsl.Reporting;

namespace CondensationDsl.Cli.Commands;

/// <summary>`cond report &lt;run-dir&gt;`: figures and report.html again, from the folder's files alone.</summary>
public static class ReportCommand
{
    public static int Execute(string runDirectory) => CommandGuard.Run(() =>
    {
        if (!File.Exists(Path.Combine(runDirectory, RunFolder.RunJsonFileName)))
        {
            throw new CommandFailure(HostDiagnostics.FileNotFound(Path.Combine(runDirectory, RunFolder.RunJsonFileName)));
        }

        Console.WriteLine($"report: {RunReport.Write(runDirectory)}");
        return ExitCodes.Success;
    });
}
