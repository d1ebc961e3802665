using CondensationDsl.Cli.Hosting;
using CondensationDsl.Cli.Output;
using CondensationDsl.Language;

namespace CondensationDsl.Cli.Commands;

/// <summary>
/// `cond check`: diagnostics only, for every file given; exit 1 if any has an error. With `--diagnostics-format sarif`
/// one SARIF log of every file's diagnostics goes to standard output instead of the human-readable lines.
/// </summary>
public static class CheckCommand
{
    public static int Execute(IReadOnlyList<string> paths, string format)
    {
        if (format == "sarif")
        {
            return ExecuteSarif(paths);
        }

        var failed = 0;
        foreach (var path in paths)
        {
            var ok = CommandGuard.Run(() =>
            {
                var result = FrontEnd.Compile(FrontEnd.Read(path), emit: false);
                if (result is not null)
                {
                    Console.WriteLine($"{path}: ok");
                }

                return result is null ? ExitCodes.Failure : ExitCodes.Success;
            });
            failed += ok == ExitCodes.Success ? 0 : 1;
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static int ExecuteSarif(IReadOnlyList<string> paths)
    {
        var diagnostics = new List<Diagnostic>();
        foreach (var path in paths)
        {
            // Compiler.EmitFile reports a missing or unreadable file as a diagnostic too, so the log covers every file.
            diagnostics.AddRange(File.Exists(path) ? Compiler.Check(path, File.ReadAllText(path)).Diagnostics : Compiler.EmitFile(path).Diagnostics);
        }

        Console.Out.Write(SarifWriter.Write(diagnostics, ExperimentCompiler.ToolVersion));
        return diagnostics.Any(diagnostic => diagnostic.IsError) ? ExitCodes.Failure : ExitCodes.Success;
    }
}
