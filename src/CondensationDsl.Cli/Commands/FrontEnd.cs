using CondensationDsl.Cli.Output;
using CondensationDsl.Language;

namespace CondensationDsl.Cli.Commands;

/// <summary>A .cond file as read from disk. <see cref="DisplayPath"/> is the path as the user gave it (for diagnostics).</summary>
public sealed record SourceFile(string DisplayPath, string Text);

/// <summary>Reading a .cond file and running the F# front end on it, printing every diagnostic.</summary>
public static class FrontEnd
{
    public static SourceFile Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CommandFailure(HostDiagnostics.FileUnreadable(path, "it is a folder, not a .cond file."));
        }

        if (!File.Exists(path))
        {
            throw new CommandFailure(HostDiagnostics.FileNotFound(path));
        }

        try
        {
            return new SourceFile(path, File.ReadAllText(path));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailure(HostDiagnostics.FileUnreadable(path, exception.Message));
        }
    }

    /// <summary>Parses, checks and (when <paramref name="emit"/>) emits; null when the file has errors (already printed).</summary>
    public static CompilationResult? Compile(SourceFile file, bool emit)
    {
        var result = emit ? Compiler.Emit(file.DisplayPath, file.Text) : Compiler.Check(file.DisplayPath, file.Text);
        Terminal.Report(result.Diagnostics, file.Text);
        return result.HasErrors ? null : result;
    }
}
