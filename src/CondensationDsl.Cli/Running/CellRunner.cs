using System.Diagnostics;
using CondensationDsl.Cli.Hosting;
using CondensationDsl.Cli.Output;
using CondensationDsl.Kernels;
using CondensationDsl.Reporting;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>How one cell ended, where its files are, its `expect` results and its report (null with --no-report).</summary>
public sealed record CellOutcome(SweepCell Cell, string Directory, RunStatus Status, string? Message)
{
    public IReadOnlyList<ExpectationResult> Expectations { get; init; } = [];

    public string? ReportPath { get; init; }
}

/// <summary>
/// Runs the cells of a prepared experiment, each into its own run folder, recording the status whatever happens:
/// a diverged or failed cell keeps every observation recorded before it stopped, and so does Ctrl-C.
/// </summary>
public sealed class CellRunner(PreparedExperiment experiment, IDevice device, bool quiet, bool report, CancellationToken cancellation)
{
    private bool firstCell = true;

    /// <summary>The report warm-up started with the first cell (null with --no-report); see <see cref="RunReport.StartWarmUp"/>.</summary>
    private Task? warmUp;

    /// <summary>
    /// Where each cell's folder goes: with one cell, <paramref name="output"/> itself (or a new runs/&lt;experiment&gt;/&lt;run-id&gt;);
    /// with a sweep, a subfolder cell-&lt;hash of the cell's parameters&gt; of it.
    /// </summary>
    public IReadOnlyList<CellOutcome> RunAll(string? output, string runsRoot = "runs")
    {
        var outcomes = new List<CellOutcome>();
        warmUp = report ? RunReport.StartWarmUp() : null;
        var sweepRoot = experiment.Cells.Count > 1 ? output ?? NewSweepFolder(runsRoot) : null;
        foreach (var cell in experiment.Cells)
        {
            var target = sweepRoot is not null ? Path.Combine(sweepRoot, "cell-" + cell.Id) : output ?? runsRoot;
            using var folder = OutputFiles.Write(target, () => sweepRoot is not null || output is not null
                ? RunFolder.At(target, experiment.Name)
                : RunFolder.Create(experiment.Name, runsRoot));
            var outcome = Finish(Run(cell, folder));
            outcomes.Add(outcome);
            if (outcome.Status == RunStatus.Interrupted)
            {
                break; // Ctrl-C stops the sweep, not just the cell.
            }
        }

        return outcomes;
    }

    /// <summary>
    /// Expectations and report for every cell that recorded anything: a diverged or interrupted run's report shows how
    /// far it got. Runs after the run folder is closed, so metrics.csv is complete.
    /// </summary>
    private CellOutcome Finish(CellOutcome outcome)
    {
        // A run that did not reach its end has no "end" to check; `cond test` counts the run itself as failed.
        var results = outcome.Status == RunStatus.Completed
            ? RunReport.EvaluateExpectations(outcome.Directory, experiment.Loaded.Program.Info.Expectations)
            : [];
        if (report)
        {
            // Usually long done (training outlasts it); waiting keeps the two from competing for the cores.
            warmUp?.Wait(cancellation.IsCancellationRequested ? TimeSpan.Zero : Timeout.InfiniteTimeSpan);
            warmUp = null;
        }

        return outcome with { Expectations = results, ReportPath = report ? TryWriteReport(outcome.Directory) : null };
    }

    /// <summary>A report that cannot be drawn must not cost the run: its files and status are already on disk.</summary>
    private static string? TryWriteReport(string directory)
    {
        try
        {
            return RunReport.Write(directory);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            File.WriteAllText(Path.Combine(directory, RunFolder.ReportErrorFileName), exception.ToString());
            Terminal.Error($"the report could not be written ({exception.GetType().Name}: {exception.Message}); details in report-error.txt. The run's results are complete.");
            return null;
        }
    }

    private string NewSweepFolder(string runsRoot)
    {
        // A throw-away RunFolder would write run.json; the sweep folder only groups the cells' folders.
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.GetFullPath(Path.Combine(runsRoot, experiment.Name, stamp + "-sweep-" + Environment.ProcessId));
        OutputFiles.Write(path, () => Directory.CreateDirectory(path));
        return path;
    }

    private CellOutcome Run(SweepCell cell, RunFolder folder)
    {
        folder.WriteSource(experiment.Source.Text);
        folder.WriteEmitted(experiment.EmittedSource);
        // The first cell's start-up counts from process start; a later cell's from its own start.
        var startupOrigin = firstCell ? ProcessStartTime() : DateTime.Now;
        firstCell = false;
        folder.Start(new RunInfo(ExperimentCompiler.ToolVersion, device.Name, null, cell.Overrides)
        {
            IlgpuVersion = device is IlgpuDevice ? typeof(ILGPU.Context).Assembly.GetName().Version?.ToString() : null,
        });

        var title = experiment.Name + (cell.Label.Length > 0 ? " " + cell.Label : string.Empty);
        var context = default(RunContext);
        try
        {
            ProgressDisplay.Run(title, quiet, progress =>
            {
                context = new RunContext(device, cell.Overrides, folder, new FolderProgress(folder, progress, startupOrigin), cancellation);
                experiment.Loaded.Program.Run(context);
            });
            Record(folder, context);
            folder.Complete();
            return new CellOutcome(cell, folder.Directory, RunStatus.Completed, null);
        }
        catch (TrainingDivergedException diverged)
        {
            folder.UpdateProgress(diverged.Step); // Progress reports are throttled; the step count should say where it stopped.
            return Stop(cell, folder, context, RunStatus.Diverged, diverged.Message);
        }
        catch (OperationCanceledException)
        {
            return Stop(cell, folder, context, RunStatus.Interrupted, "Interrupted (Ctrl-C or SIGTERM); every observation recorded before it is kept.");
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Not the experiment's fault: keep the whole trace for a bug report, show the user one line.
            File.WriteAllText(Path.Combine(folder.Directory, RunFolder.ErrorFileName), exception.ToString());
            return Stop(cell, folder, context, RunStatus.Failed, $"{exception.GetType().Name}: {exception.Message} (details in error.txt)");
        }
    }

    private static CellOutcome Stop(SweepCell cell, RunFolder folder, RunContext? context, RunStatus status, string message)
    {
        Record(folder, context);
        folder.Fail(status, message);
        Terminal.Error($"{status.ToString().ToLowerInvariant()}: {message}");
        return new CellOutcome(cell, folder.Directory, status, message);
    }

    /// <summary>The parameters as the program resolved them (defaults included) and the seed it used.</summary>
    private static void Record(RunFolder folder, RunContext? context)
    {
        if (context is not null)
        {
            folder.SetParameters(context.ResolvedParameters);
            folder.SetSeed(context.Seed);
        }
    }

    private static DateTime ProcessStartTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.StartTime;
    }

    /// <summary>
    /// Feeds progress to the display and to run.json's step count; the first report (the training loop's, after its first
    /// step) also fixes the run's start-up time.
    /// </summary>
    private sealed class FolderProgress(RunFolder folder, IProgress<TrainingProgress>? display, DateTime startupOrigin) : IProgress<TrainingProgress>
    {
        private bool first = true;

        public void Report(TrainingProgress value)
        {
            if (first)
            {
                first = false;
                folder.SetStartupSeconds((DateTime.Now - startupOrigin).TotalSeconds);
            }

            folder.UpdateProgress(value.Step);
            display?.Report(value);
        }
    }
}
