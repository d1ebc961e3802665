using System.CommandLine;
using CondensationDsl.Cli.Commands;
using CondensationDsl.Cli.Output;

// `cond`: the command-line front door. Parse errors are usage errors (exit 2); each command returns its own code.
var root = CommandLineDefinition.Build();
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Terminal.Error(error.Message);
    }

    Console.Error.WriteLine("Run 'cond --help' for usage.");
    return ExitCodes.Usage;
}

return parse.Invoke();
