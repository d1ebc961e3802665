using System.Diagnostics;
using CondensationDsl.Cli.Hosting;
using CondensationDsl.Cli.Output;
using CondensationDsl.Kernels;
using CondensationDsl.Reporting;
using CondensationDsl.Reporting.Figures;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>How one cell ended, where its files are, its `expect` results and its report (null with --no-report).</summary>
public sealed record CellOutcome(SweepCell Cell, string Directory, RunStatus Status, string? Message)
{
    public IReadOnlyList<ExpectationResult> Expectations { get; init; } = [];

    public string? ReportPath { get; init; }

    /// <summary>The parameters as the run resolved them (defaults included); empty when the run did not complete.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// Runs the cells of a prepared experiment, each into its own run folder, recording the status whatever happens:
/// a diverged or failed cell keeps every observation recorded before it stopped, and so does Ctrl-C.
/// </summary>
public sealed class CellRunner(PreparedExperiment experiment, IDevice device, bool quiet, bool report, CancellationToken cancellation)
{
    private bool firstCell = true;

    /// <summary>The report's work during training (null with --no-report): warm-up, then each snapshot's figures.</summary>
    private LiveReport? liveReport;

    /// <summary>The live figures of the cell being run (null before its run starts, and with --no-report).</summary>
    private LiveFigures? cellFigures;

    /// <summary>
    /// Where each cell's folder goes: with one cell, <paramref name="output"/> itself (or a new runs/&lt;experiment&gt;/&lt;run-id&gt;);
    /// with a sweep, a subfolder cell-&lt;hash of the cell's parameters&gt; of it.
    /// </summary>
    public IReadOnlyList<CellOutcome> RunAll(string? output, string runsRoot = "runs")
    {
        var outcomes = new List<CellOutcome>();
        using var live = report ? LiveReport.Start() : null;
        liveReport = live;
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

        liveReport = null;
        return outcomes;
    }

    /// <summary>
    /// Expectations and report for every cell that recorded anything: a diverged or interrupted run's report shows how
    /// far it got. Runs after the run folder is closed, so metrics.csv is complete.
    /// </summary>
    private CellOutcome Finish(CellOutcome outcome)
    {
        var live = cellFigures;
        if (report)
        {
            // Usually long done (training outlasts it); waiting keeps the two from competing for the cores, and its
            // temporary folder from outliving the process.
            liveReport?.WarmedUp.Wait(cancellation.IsCancellationRequested ? TimeSpan.Zero : Timeout.InfiniteTimeSpan);
        }

        // The figures need only the closed folder, so they are drawn while the expectations are checked (the page, which
        // shows both, comes after).
        var figures = report ? Task.Run(() => RunReport.DrawFigures(outcome.Directory, live)) : null;

        IReadOnlyList<ExpectationResult> results = [];
        try
        {
            // A run that did not reach its end has no "end" to check; `cond test` counts the run itself as failed.
            if (outcome.Status == RunStatus.Completed)
            {
                // `expect … where name in [...]` is about the cells with those values only.
                var expectations = experiment.Loaded.Program.Info.Expectations.Where(e => e.AppliesTo(outcome.Parameters)).ToArray();
                results = RunReport.EvaluateExpectations(outcome.Directory, expectations);
            }
        }
        finally
        {
            // Whatever happens here, no figure is still being drawn once Finish returns (its failure is the report's).
            ((IAsyncResult?)figures)?.AsyncWaitHandle.WaitOne();
        }

        return outcome with { Expectations = results, ReportPath = figures is null ? null : TryWriteReport(outcome.Directory, figures) };
    }

    /// <summary>A report that cannot be drawn must not cost the run: its files and status are already on disk.</summary>
    private static string? TryWriteReport(string directory, Task<IReadOnlyList<FigureFile>> figures)
    {
        try
        {
            return RunReport.WritePage(directory, figures.GetAwaiter().GetResult());
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
        cellFigures = null;
        folder.WriteSource(experiment.Source.Text);
        folder.WriteEmitted(experiment.EmittedSource);
        // The first cell's start-up counts from process start; a later cell's from its own start.
        var startupOrigin = firstCell ? ProcessStartTime() : DateTime.Now;
        firstCell = false;
        folder.Start(new RunInfo(ExperimentCompiler.ToolVersion, device.Name, null, cell.Overrides)
        {
            IlgpuVersion = device is IlgpuDevice ? typeof(ILGPU.Context).Assembly.GetName().Version?.ToString() : null,
            ParameterWords = WordsOf(cell.Overrides),
        });

        var title = experiment.Name + (cell.Label.Length > 0 ? " " + cell.Label : string.Empty);
        var context = default(RunContext);
        try
        {
            ProgressDisplay.Run(title, quiet, progress =>
            {
                // With a report, the run's arrays and rows also reach the live figures, drawn while training goes on.
                IRunSink sink = folder;
                if (liveReport is not null)
                {
                    (sink, cellFigures) = liveReport.Attach(folder);
                }

                context = new RunContext(device, cell.Overrides, sink, new FolderProgress(folder, progress, startupOrigin), cancellation);
                experiment.Loaded.Program.Run(context);
            });
            Record(folder, context);
            folder.Complete();
            return new CellOutcome(cell, folder.Directory, RunStatus.Completed, null) { Parameters = context!.ResolvedParameters };
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

    private CellOutcome Stop(SweepCell cell, RunFolder folder, RunContext? context, RunStatus status, string message)
    {
        Record(folder, context);
        folder.Fail(status, message);
        Terminal.Error($"{status.ToString().ToLowerInvariant()}: {message}");
        return new CellOutcome(cell, folder.Directory, status, message);
    }

    /// <summary>The words of the choice parameters among <paramref name="values"/> (run.json writes them, not their indices).</summary>
    private Dictionary<string, string> WordsOf(IReadOnlyDictionary<string, double> values) =>
        experiment.Loaded.Program.Info.Parameters
            .Where(parameter => parameter.Type == ParameterType.Choice && values.ContainsKey(parameter.Name))
            .ToDictionary(parameter => parameter.Name, parameter => parameter.Format(values[parameter.Name]), StringComparer.Ordinal);

    /// <summary>The parameters as the program resolved them (defaults included) and the seed it used.</summary>
    private void Record(RunFolder folder, RunContext? context)
    {
        if (context is not null)
        {
            folder.SetParameters(context.ResolvedParameters, WordsOf(context.ResolvedParameters));
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
