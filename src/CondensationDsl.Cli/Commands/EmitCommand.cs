using CondensationDsl.Cli.Output;

namespace CondensationDsl.Cli.Commands;

/// <summary>`cond emit`: the C# program for a .cond file, to stdout or to &lt;dir&gt;/Experiment.cs.</summary>
public static class EmitCommand
{
    public static int Execute(string path, string? outputDirectory) => CommandGuard.Run(() =>
    {
        var result = FrontEnd.Compile(FrontEnd.Read(path), emit: true);
        if (result is null)
        {
            return ExitCodes.Failure;
        }

        if (outputDirectory is null)
        {
            Console.Out.Write(result.CSharpSource);
            return ExitCodes.Success;
        }

        var target = Path.Combine(outputDirectory, "Experiment.cs");
        OutputFiles.Write(target, () =>
        {
            Directory.CreateDirectory(outputDirectory);
            File.WriteAllText(target, result.CSharpSource);
        });
        Console.WriteLine(target);
        return ExitCodes.Success;
    });
}
