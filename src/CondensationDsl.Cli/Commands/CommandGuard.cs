using CondensationDsl.Cli.Output;
using CondensationDsl.Cli.Running;

namespace CondensationDsl.Cli.Commands;

/// <summary>
/// Turns the expected failures of a command into diagnostics and exit codes, so bad input never shows a stack trace.
/// Anything else is a bug of ours: reported as such, with the exception, and exit code 1.
/// </summary>
public static class CommandGuard
{
    public static int Run(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (UsageException usage)
        {
            Terminal.Report(usage.Diagnostics, usage.SourceText);
            return ExitCodes.Usage;
        }
        catch (CommandFailure failure)
        {
            Terminal.Report(failure.Diagnostic);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            Terminal.Error("interrupted.");
            return ExitCodes.Interrupted;
        }
    }
}
