using System.CommandLine;
using CondensationDsl.Cli.Hosting;

namespace CondensationDsl.Cli.Commands;

/// <summary>The commands, options and help texts of `cond`, in one place.</summary>
public static class CommandLineDefinition
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "CondensationDsl: declare a neural-network condensation experiment in a .cond file, then check, emit, run or test it.");
        root.Subcommands.Add(Check());
        root.Subcommands.Add(Emit());
        root.Subcommands.Add(Run());
        root.Subcommands.Add(Test());
        root.Subcommands.Add(Report());
        root.Subcommands.Add(Devices());
        return root;
    }

    private static Argument<string[]> Files(string description) => RejectUnknownOptions(new Argument<string[]>("files") { Description = description, Arity = ArgumentArity.OneOrMore });

    /// <summary>
    /// A mistyped option before or among the files (`cond check --bogus a.cond`) would otherwise be taken as a file name
    /// and reported as a missing file (exit 1); it is a usage error (exit 2).
    /// </summary>
    private static Argument<T> RejectUnknownOptions<T>(Argument<T> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(token => token.Value.Length > 1 && token.Value[0] == '-' && !File.Exists(token.Value)))
            {
                result.AddError($"Unrecognized option '{token.Value}'.");
            }
        });
        return argument;
    }

    private static Option<string[]> SetOption() => new("--set", "-s")
    {
        Description = "Override a parameter (any `let`, or seed): --set name=value. Repeatable. A swept name is pinned to the value.",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Option<string> DeviceOption()
    {
        var option = new Option<string>("--device", "-d")
        {
            Description = "Where to train: auto (CUDA, then an OpenCL GPU, then CPU), cpu, cuda, opencl, ilgpu-cpu (ILGPU's slow CPU simulator, for testing kernels).",
            DefaultValueFactory = _ => "auto",
        };
        // Validated by DeviceSelector rather than AcceptOnlyFromAmong, so a typo gets a "Did you mean" diagnostic.
        return option;
    }

    private static Option<string?> OutputOption(string description) => new("--output", "-o") { Description = description };

    private static Option<bool> NoReportOption() => new("--no-report") { Description = "Skip the figures and report.html (faster for sweeps and tests)." };

    private static Option<bool> ResumeOption(string where) => new("--resume")
    {
        Description = $"Finish an earlier run into the same {where}: keep the cells whose folder already holds a completed, failed or diverged run of the same .cond source (failures are results: a deterministic divergence would only happen again; delete a cell's folder to rerun it), run the missing, interrupted or unfinished ones, then write sweep.csv/sweep.html over all cells. Refused (exit 2) when a kept cell ran a different source. Without it, earlier results in the folder are replaced.",
    };

    private static Option<int> JobsOption()
    {
        var option = new Option<int>("--jobs", "-j")
        {
            Description = "Run up to N sweep cells at once, each on its own device (CPU devices share the cores: each gets max(1, cores / N) threads). Results are the same bits as with --jobs 1; progress is then one line per finished cell.",
            DefaultValueFactory = _ => 1,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--jobs must be at least 1.");
            }
        });
        return option;
    }

    private static Option<bool> QuietOption() => new("--quiet", "-q") { Description = "No progress display; only the result lines." };

    private static Command Check()
    {
        var files = Files(".cond files to parse and check.");
        var format = new Option<string>("--diagnostics-format")
        {
            Description = "text (default: MSBuild-form lines with a source excerpt, on standard error) or sarif (a SARIF 2.1.0 log on standard output, for editors and CI).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "sarif");
        var command = new Command("check", "Parse and check .cond files without running them; prints every diagnostic.") { files, format };
        command.SetAction(result => CheckCommand.Execute(result.GetValue(files) ?? [], result.GetValue(format) ?? "text"));
        return command;
    }

    private static Command Emit()
    {
        var file = RejectUnknownOptions(new Argument<string>("file") { Description = "The .cond file to compile." });
        var output = OutputOption("Folder to write Experiment.cs into (default: print the C# to standard output).");
        var command = new Command("emit", "Compile a .cond file to the C# program that `cond run` would execute.") { file, output };
        command.SetAction(result => EmitCommand.Execute(result.GetValue(file)!, result.GetValue(output)));
        return command;
    }

    private static Command Run()
    {
        var file = RejectUnknownOptions(new Argument<string>("file") { Description = "The .cond file to run." });
        var set = SetOption();
        var device = DeviceOption();
        var output = OutputOption("Run folder to write (default: runs/<experiment>/<run-id>/). With a sweep, one subfolder per cell.");
        var quiet = QuietOption();
        var noReport = NoReportOption();
        var resume = ResumeOption("-o folder (a sweep folder, or a single run's folder)");
        var jobs = JobsOption();
        var command = new Command("run", "Check, compile and run an experiment; results go to a run folder (metrics.csv, arrays/*.npy, run.json, figures/, report.html).")
        {
            file, set, device, output, quiet, noReport, resume, jobs,
        };
        command.SetAction(result => RunCommand.Execute(new RunRequest(
            result.GetValue(file)!, result.GetValue(set) ?? [], result.GetValue(device) ?? "auto", result.GetValue(output), result.GetValue(quiet), !result.GetValue(noReport))
        {
            Resume = result.GetValue(resume),
            Jobs = result.GetValue(jobs),
        }));
        return command;
    }

    private static Command Test()
    {
        var files = Files(".cond files whose `expect` clauses to check.");
        var set = SetOption();
        var device = DeviceOption();
        var output = OutputOption("Folder for the runs' folders (default: a temporary folder, removed when all pass).");
        var noReport = NoReportOption();
        var resume = ResumeOption("-o folder");
        var jobs = JobsOption();
        var command = new Command("test", "Run experiments and check their `expect` clauses; prints a table and exits 1 if any fails.")
        {
            files, set, device, output, noReport, resume, jobs,
        };
        command.SetAction(result => TestCommand.Execute(
            result.GetValue(files) ?? [], result.GetValue(set) ?? [], result.GetValue(device) ?? "auto", result.GetValue(output), !result.GetValue(noReport),
            result.GetValue(resume), result.GetValue(jobs)));
        return command;
    }

    private static Command Report()
    {
        var directory = new Argument<string>("run-dir") { Description = "A run folder written by `cond run`." };
        var command = new Command("report", "Rebuild the figures and report.html of a run folder from its files alone.") { directory };
        command.SetAction(result => ReportCommand.Execute(result.GetValue(directory)!));
        return command;
    }

    private static Command Devices()
    {
        var command = new Command("devices", "List the devices this machine offers (CPU, and CUDA/OpenCL accelerators seen by ILGPU).");
        command.SetAction(_ => DevicesCommand.Execute());
        return command;
    }
}
