using CondensationDsl.Cli.Hosting;
using CondensationDsl.Cli.Output;
using CondensationDsl.Reporting;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

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

    private readonly CellExecution execution = new(experiment, cancellation);
    private readonly CellResults results = new(experiment, report, cancellation);

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
                // Conditions on a choice parameter carry its words: run.json records a choice by its word.
                Reporting.Sweep.SweepSpecFile.Write(
                    sweepRoot, info.PhaseDiagram, info.Expectations.Select(e => e.WithChoiceWords(info.Parameters)).ToArray(), info.LossSpectrum);
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
            ? ResumePlan.Inspect(experiment, targets, sweepRoot ?? output!).Select(kept => kept is null ? null : results.Reuse(kept)).ToArray()
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
            var (ran, figures) = execution.Run(experiment.Cells[i], folder, devices[0], quiet, liveReport);
            outcomes[i] = results.Finish(ran, figures, liveReport);
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
                    var (ran, figures) = execution.Run(experiment.Cells[i], folder, device, quiet: true, liveReport: null);
                    var outcome = results.Finish(ran, figures, liveReport: null);
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


    private string NewSweepFolder(string runsRoot)
    {
        // A throw-away RunFolder would write run.json; the sweep folder only groups the cells' folders.
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.GetFullPath(Path.Combine(runsRoot, experiment.Name, stamp + "-sweep-" + Environment.ProcessId));
        OutputFiles.Write(path, () => Directory.CreateDirectory(path));
        return path;
    }

}
