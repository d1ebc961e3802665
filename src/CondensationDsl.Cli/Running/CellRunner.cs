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
/// a diverged or failed cell keeps every observation recorded before it stopped, and so does Ctrl-C. With several
/// devices, that many cells run at once, each on its own device (a device serves one caller at a time); a cell's
/// results depend only on its parameters and seed, so they are the same bits whichever job runs it.
/// </summary>
public sealed class CellRunner(PreparedExperiment experiment, IReadOnlyList<IDevice> devices, bool quiet, bool report, CancellationToken cancellation)
{
    public CellRunner(PreparedExperiment experiment, IDevice device, bool quiet, bool report, CancellationToken cancellation)
        : this(experiment, [device], quiet, report, cancellation)
    {
    }

    /// <summary>1 until the first cell starts: only its start-up counts from process start.</summary>
    private int firstCell = 1;

    /// <summary>Serializes the one-line-per-cell output of parallel jobs.</summary>
    private readonly Lock console = new();

    private int finishedCells;

    /// <summary>
    /// The report's work during training (null with --no-report, and with several jobs: its one background thread
    /// follows one run at a time): warm-up, then each snapshot's figures.
    /// </summary>
    private LiveReport? liveReport;

    /// <summary>
    /// `--resume`: keep the cells whose folder already holds a result of the same source (see <see cref="ResumePlan"/>),
    /// run only the others. Without it, an existing cell folder's earlier run is replaced.
    /// </summary>
    public bool Resume { get; init; }

    private int Jobs => devices.Count;

    /// <summary>
    /// Where each cell's folder goes: with one cell, <paramref name="output"/> itself (or a new runs/&lt;experiment&gt;/&lt;run-id&gt;);
    /// with a sweep, a subfolder cell-&lt;hash of the cell's parameters&gt; of it. The outcomes are in the sweep's order,
    /// kept cells (--resume) included; after Ctrl-C, only the cells that ran or were kept.
    /// </summary>
    public IReadOnlyList<CellOutcome> RunAll(string? output, string runsRoot = "runs")
    {
        var sweepRoot = experiment.Cells.Count > 1 ? output ?? NewSweepFolder(runsRoot) : null;
        if (sweepRoot is not null)
        {
            // The sweep's own declarations (summary, its expectations) beside the cells, so the sweep's results can be
            // rebuilt from the folder alone (`cond report`).
            var info = experiment.Loaded.Program.Info;
            OutputFiles.Write(sweepRoot, () =>
            {
                Directory.CreateDirectory(sweepRoot);
                Reporting.Sweep.SweepSpecFile.Write(sweepRoot, info.PhaseDiagram, info.Expectations, info.LossSpectrum);
            });
        }

        var parallel = Jobs > 1 && sweepRoot is not null;
        using var live = report && !parallel ? LiveReport.Start() : null;
        liveReport = live;
        // Full paths, as RunFolder makes them: the outcomes of kept cells (--resume) must name their folders alike.
        var targets = experiment.Cells
            .Select(cell => Path.GetFullPath(sweepRoot is not null ? Path.Combine(sweepRoot, "cell-" + cell.Id) : output ?? runsRoot))
            .ToArray();

        // A single run without -o always gets a new folder: there is nothing to resume.
        var outcomes = Resume && (sweepRoot is not null || output is not null)
            ? ResumePlan.Inspect(experiment, targets, sweepRoot ?? output!).Select(kept => kept is null ? null : Reuse(kept)).ToArray()
            : new CellOutcome?[targets.Length];
        var pending = Enumerable.Range(0, targets.Length).Where(i => outcomes[i] is null).ToArray();
        ReportKept(outcomes.Length - pending.Length, outcomes.Length);

        if (!parallel)
        {
            RunSequentially(pending, targets, sweepRoot, output, runsRoot, outcomes);
        }
        else
        {
            RunInParallel(pending, targets, outcomes);
        }

        liveReport = null;
        return outcomes.OfType<CellOutcome>().ToArray();
    }

    private void ReportKept(int kept, int total)
    {
        if (Resume && kept > 0 && !quiet)
        {
            Console.WriteLine($"resume: {kept} of {total} cells already have a result (kept); running {total - kept}.");
        }
    }

    private void RunSequentially(int[] pending, string[] targets, string? sweepRoot, string? output, string runsRoot, CellOutcome?[] outcomes)
    {
        foreach (var i in pending)
        {
            var target = targets[i];
            using var folder = OutputFiles.Write(target, () => sweepRoot is not null || output is not null
                ? RunFolder.At(target, experiment.Name)
                : RunFolder.Create(experiment.Name, runsRoot));
            var (ran, figures) = Run(experiment.Cells[i], folder, devices[0], quiet);
            outcomes[i] = Finish(ran, figures);
            if (outcomes[i]!.Status == RunStatus.Interrupted)
            {
                break; // Ctrl-C stops the sweep, not just the cell.
            }
        }
    }

    /// <summary>
    /// One worker per device takes the next cell until none is left, Ctrl-C, or an error that is not a cell's (an output
    /// folder that cannot be written): then the others finish the cell in hand and stop, and the error is rethrown.
    /// Only sweeps get here (a single run has one cell), so every target is a cell folder of the sweep.
    /// </summary>
    private void RunInParallel(int[] pending, string[] targets, CellOutcome?[] outcomes)
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<int>(pending);
        var stop = 0;
        void Work(IDevice device)
        {
            try
            {
                while (Volatile.Read(ref stop) == 0 && !cancellation.IsCancellationRequested && queue.TryDequeue(out var i))
                {
                    using var folder = OutputFiles.Write(targets[i], () => RunFolder.At(targets[i], experiment.Name));
                    // No live bar: several bars redrawn by several threads would garble each other; a line per finished cell instead.
                    var (ran, figures) = Run(experiment.Cells[i], folder, device, quiet: true);
                    var outcome = Finish(ran, figures);
                    outcomes[i] = outcome;
                    AnnounceFinished(outcome, pending.Length);
                }
            }
            catch
            {
                Volatile.Write(ref stop, 1);
                throw;
            }
        }

        var workers = devices.Take(Math.Max(1, Math.Min(Jobs, pending.Length)))
            .Select(device => Task.Factory.StartNew(() => Work(device), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        try
        {
            Task.WaitAll(workers);
        }
        catch (AggregateException aggregate) when (aggregate.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(aggregate.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>With several jobs, the progress shown: one line per finished cell, in the order they finish.</summary>
    private void AnnounceFinished(CellOutcome outcome, int total)
    {
        if (quiet)
        {
            return;
        }

        lock (console)
        {
            var done = ++finishedCells;
            var label = outcome.Cell.Label.Length > 0 ? outcome.Cell.Label : Path.GetFileName(outcome.Directory);
            Console.WriteLine($"[{done}/{total}] {outcome.Status.ToString().ToLowerInvariant()}: {experiment.Name} {label}");
        }
    }

    /// <summary>
    /// Expectations and report for every cell that recorded anything: a diverged or interrupted run's report shows how
    /// far it got. Runs after the run folder is closed, so metrics.csv is complete.
    /// </summary>
    private CellOutcome Finish(CellOutcome outcome, LiveFigures? live)
    {
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
            results = CheckExpectations(outcome);
        }
        finally
        {
            // Whatever happens here, no figure is still being drawn once Finish returns (its failure is the report's).
            ((IAsyncResult?)figures)?.AsyncWaitHandle.WaitOne();
        }

        return outcome with { Expectations = results, ReportPath = figures is null ? null : TryWriteReport(outcome.Directory, figures) };
    }

    private IReadOnlyList<ExpectationResult> CheckExpectations(CellOutcome outcome) =>
        outcome.Status == RunStatus.Completed
            // `expect … where name in [...]` is about the cells with those values only; a summary's (the phase diagram's
            // slope) about the whole sweep, checked once it has run.
            ? RunReport.EvaluateExpectations(
                outcome.Directory, experiment.Loaded.Program.Info.Expectations.Where(e => !e.IsSweepLevel && e.AppliesTo(outcome.Parameters)).ToArray())
            : [];

    /// <summary>
    /// A cell kept by --resume: its expectations are checked again (cheap, from its metrics.csv, and the same source), and
    /// its report is drawn only when it has none (it ran with --no-report), so resuming costs no redrawing.
    /// </summary>
    private CellOutcome Reuse(CellOutcome kept)
    {
        var page = Path.Combine(kept.Directory, Reporting.Report.HtmlReport.FileName);
        var reportPath = !report ? null
            : File.Exists(page) ? page
            : TryWriteReport(kept.Directory, Task.Run(() => RunReport.DrawFigures(kept.Directory)));
        return kept with { Expectations = CheckExpectations(kept), ReportPath = reportPath };
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

    /// <summary>Runs one cell into <paramref name="folder"/> on <paramref name="device"/>; returns how it ended and its live figures (if any).</summary>
    private (CellOutcome Outcome, LiveFigures? Figures) Run(SweepCell cell, RunFolder folder, IDevice device, bool quiet)
    {
        LiveFigures? cellFigures = null;
        folder.WriteSource(experiment.Source.Text);
        folder.WriteEmitted(experiment.EmittedSource);
        // The first cell's start-up counts from process start; a later cell's from its own start.
        var startupOrigin = Interlocked.Exchange(ref firstCell, 0) == 1 ? ProcessStartTime() : DateTime.Now;
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
            return (new CellOutcome(cell, folder.Directory, RunStatus.Completed, null) { Parameters = context!.ResolvedParameters }, cellFigures);
        }
        catch (TrainingNotConvergedException unconverged)
        {
            return (Stop(cell, folder, context, RunStatus.Unconverged, unconverged.Message), cellFigures);
        }
        catch (TrainingDivergedException diverged)
        {
            folder.UpdateProgress(diverged.Step); // Progress reports are throttled; the step count should say where it stopped.
            return (Stop(cell, folder, context, RunStatus.Diverged, diverged.Message), cellFigures);
        }
        catch (OperationCanceledException)
        {
            return (Stop(cell, folder, context, RunStatus.Interrupted, "Interrupted (Ctrl-C or SIGTERM); every observation recorded before it is kept."), cellFigures);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Not the experiment's fault: keep the whole trace for a bug report, show the user one line.
            File.WriteAllText(Path.Combine(folder.Directory, RunFolder.ErrorFileName), exception.ToString());
            return (Stop(cell, folder, context, RunStatus.Failed, $"{exception.GetType().Name}: {exception.Message} (details in error.txt)"), cellFigures);
        }
    }

    private CellOutcome Stop(SweepCell cell, RunFolder folder, RunContext? context, RunStatus status, string message)
    {
        Record(folder, context);
        folder.Fail(status, message);
        // At once, naming the cell: in a long sweep the user should not wait for the end to learn that a cell failed.
        var cellName = cell.Label.Length > 0 ? $" (cell {cell.Label})" : string.Empty;
        Terminal.Error($"{status.ToString().ToLowerInvariant()}{cellName}: {message}");
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
