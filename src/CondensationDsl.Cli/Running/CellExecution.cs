using System.Diagnostics;
using CondensationDsl.Cli.Hosting;
using CondensationDsl.Cli.Output;
using CondensationDsl.Kernels;
using CondensationDsl.Reporting;
using CondensationDsl.Reporting.Figures;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>
/// Runs one cell of a prepared experiment into its run folder and records how it ended, whatever happens: a diverged,
/// unconverged or failed cell keeps every observation recorded before it stopped, and so does Ctrl-C.
/// </summary>
internal sealed class CellExecution(PreparedExperiment experiment, CancellationToken cancellation)
{
    /// <summary>1 until the first cell starts: only its start-up counts from process start.</summary>
    private int firstCell = 1;

    /// <summary>Runs one cell into <paramref name="folder"/> on <paramref name="device"/>; returns how it ended and its live figures (if any).</summary>
    public (CellOutcome Outcome, LiveFigures? Figures) Run(SweepCell cell, RunFolder folder, IDevice device, bool quiet, LiveReport? liveReport)
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
