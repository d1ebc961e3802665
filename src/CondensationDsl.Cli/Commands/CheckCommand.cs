using CondensationDsl.Cli.Output;

namespace CondensationDsl.Cli.Commands;

/// <summary>`cond check`: diagnostics only, for every file given; exit 1 if any has an error.</summary>
public static class CheckCommand
{
    public static int Execute(IReadOnlyList<string> paths)
    {
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
}
