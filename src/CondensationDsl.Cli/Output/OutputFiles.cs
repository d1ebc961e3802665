using CondensationDsl.Language;

namespace CondensationDsl.Cli.Output;

/// <summary>Writing where the user asked: a folder that cannot be written is a diagnostic (COND0907), not a stack trace.</summary>
public static class OutputFiles
{
    public static T Write<T>(string path, Func<T> write)
    {
        try
        {
            return write();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailure(HostDiagnostics.OutputNotWritable(path, exception.Message));
        }
    }

    public static void Write(string path, Action write) => Write(path, () =>
    {
        write();
        return true;
    });
}
