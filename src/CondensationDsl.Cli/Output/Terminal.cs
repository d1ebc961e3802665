using CondensationDsl.Language;

namespace CondensationDsl.Cli.Output;

/// <summary>Process exit codes of `cond`.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Errors in the experiment, a failed run, or a failed expectation.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line: unknown option, `--set` name or device.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;
}

/// <summary>Where diagnostics and messages go: diagnostics to stderr with a source excerpt, results to stdout.</summary>
public static class Terminal
{
    public static void Report(Diagnostic diagnostic, string? sourceText = null) =>
        Console.Error.WriteLine(diagnostic.Render(sourceText));

    public static void Report(IEnumerable<Diagnostic> diagnostics, string? sourceText)
    {
        foreach (var diagnostic in diagnostics)
        {
            Report(diagnostic, sourceText);
        }
    }

    public static void Error(string message) => Console.Error.WriteLine("error: " + message);
}

/// <summary>A command that cannot go on, with the diagnostic that says why (exit code 1).</summary>
public sealed class CommandFailure(Diagnostic diagnostic) : Exception(diagnostic.Message)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}
