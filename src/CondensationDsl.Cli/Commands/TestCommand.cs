using System.Globalization;
using CondensationDsl.Cli.Hosting;
using CondensationDsl.Cli.Output;
using CondensationDsl.Cli.Running;
using CondensationDsl.Reporting;
using Spectre.Console;

namespace CondensationDsl.Cli.Commands;

/// <summary>
/// `cond test`: runs each file (every sweep cell) and checks its `expect` clauses against the metrics it wrote.
/// Prints one table row per clause and cell; exit code 1 when any clause fails, a run fails, or a file has errors.
/// </summary>
public static class TestCommand
{
    public static int Execute(IReadOnlyList<string> paths, IReadOnlyList<string> assignments, string deviceKind, string? output, bool report) =>
        Execute(paths, assignments, deviceKind, output, report, resume: false, jobs: 1);

    /// <summary>With <paramref name="resume"/> (needs -o to find the earlier runs) and <paramref name="jobs"/> as in `cond run`.</summary>
    public static int Execute(IReadOnlyList<string> paths, IReadOnlyList<string> assignments, string deviceKind, string? output, bool report, bool resume, int jobs) => CommandGuard.Run(() =>
    {
        DeviceSelector.Validate(deviceKind);
        var root = output ?? Path.Combine(Path.GetTempPath(), "cond-test-" + Environment.ProcessId);
        var rows = new List<TestRow>();
        var failures = 0;
        var devices = DeviceSelector.CreateMany(deviceKind, jobs);
        using var release = new DeviceLease(devices);
        using var interrupt = new InterruptSignal();
        foreach (var path in paths)
        {
            using var experiment = PreparedExperiment.Prepare(path, assignments);
            if (experiment is null)
            {
                rows.Add(new TestRow(path, "", "(does not compile)", "", false));
                failures++;
                continue;
            }

            var runsRoot = Path.Combine(root, Path.GetFileNameWithoutExtension(path));
            var outcomes = new CellRunner(experiment, devices, quiet: false, report, interrupt.Token) { Resume = resume }.RunAll(experiment.Cells.Count > 1 ? runsRoot : Path.Combine(runsRoot, "run"));
            SweepResults.TryWrite(outcomes);
            // The sweep's own expectations (the phase diagram's slopes): one row each, checked once every cell ran.
            foreach (var result in SweepResults.Expectations(outcomes))
            {
                rows.Add(new TestRow(path, "(sweep)", result.Expectation.SourceText, result.Message, result.Passed));
                failures += result.Passed ? 0 : 1;
            }

            foreach (var outcome in outcomes)
            {
                if (outcome.Status != RunStatus.Completed)
                {
                    rows.Add(new TestRow(path, outcome.Cell.Label, "(run " + outcome.Status.ToString().ToLowerInvariant() + ")", outcome.Message ?? "", false));
                    failures++;
                    continue;
                }

                // `where` clauses can leave a cell of a file with expectations without any of its own.
                if (outcome.Expectations.Count == 0)
                {
                    rows.Add(new TestRow(path, outcome.Cell.Label, "(no expect clauses)", "", true));
                    continue;
                }

                foreach (var result in outcome.Expectations)
                {
                    rows.Add(new TestRow(path, outcome.Cell.Label, result.Expectation.SourceText, result.Message, result.Passed));
                    failures += result.Passed ? 0 : 1;
                }
            }

            if (RunCommand.ExitCodeOf(outcomes) == ExitCodes.Interrupted)
            {
                return ExitCodes.Interrupted;
            }
        }

        Print(rows);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count - failures} passed, {failures} failed"));
        if (failures == 0 && output is null)
        {
            TryDelete(root);
        }
        else
        {
            Console.WriteLine($"run folders: {Path.GetFullPath(root)}");
        }

        return failures == 0 ? ExitCodes.Success : ExitCodes.Failure;
    });

    private sealed record TestRow(string File, string Cell, string Expectation, string Detail, bool Passed);

    private static void Print(IReadOnlyList<TestRow> rows)
    {
        var table = new Table().AddColumns("file", "cell", "expect", "measured", "result");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.File),
                Markup.Escape(row.Cell),
                Markup.Escape(row.Expectation),
                Markup.Escape(row.Detail),
                row.Passed ? "[green]pass[/]" : "[red]FAIL[/]");
        }

        AnsiConsole.Write(table);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
