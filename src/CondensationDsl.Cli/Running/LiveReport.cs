using CondensationDsl.Reporting;
using CondensationDsl.Reporting.Figures;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>
/// The report's work done during training, on one background thread: training is single-threaded, so a second core is
/// otherwise idle. First the one-off costs of the curves and the report page (<see cref="RunReport.WarmUp"/>), then each
/// snapshot's figures as soon as the run has written that snapshot (<see cref="LiveFigures"/>), so that the end of a run
/// is left with only the figures of the whole run (curves, small multiples) and the last snapshot's.
/// </summary>
/// <remarks>
/// Measured on figure 1 (2 cores): the work here still slows training by ~20–30 ms, not through the core it uses but
/// through the JIT: the runtime promotes the training loop's methods to optimized code only after a pause in compiling
/// elsewhere, and the figure code compiles a lot. Starting this thread before the experiment is prepared was tried and is
/// worse: start-up (the front end, Roslyn's cache) uses both cores, and the warm-up slowed it by more than it saved.
/// </remarks>
internal sealed class LiveReport : IDisposable
{
    private readonly AutoResetEvent wake = new(false);
    private readonly TaskCompletionSource warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile LiveFigures? current;
    private volatile bool stopping;

    private LiveReport()
    {
        var thread = new Thread(Work)
        {
            IsBackground = true, // An interrupted run must not wait for it.
            Name = "live report",
        };
        thread.Start();
    }

    /// <summary>Completes when the warm-up is over (whether or not it succeeded).</summary>
    public Task WarmedUp => warmedUp.Task;

    public static LiveReport Start() => new();

    /// <summary>
    /// Draws the live figures of the run going into <paramref name="folder"/>. Returns the sink the run should write to
    /// (the folder itself, with every array and row also handed to the live figures) and the live figures, for the final
    /// pass to skip what they drew. This thread keeps drawing their snapshot figures until the final pass has taken every
    /// figure and closes them, so both cores work at the run's end.
    /// </summary>
    public (IRunSink Sink, LiveFigures Figures) Attach(RunFolder folder)
    {
        var live = new LiveFigures(folder.Directory);
        current = live;
        return (new ObservedSink(folder, live, () => wake.Set()), live);
    }

    public void Dispose()
    {
        stopping = true;
        current?.Close();
        wake.Set();
        // The thread is not joined: it finishes the figure in hand (a few milliseconds), or dies with the process.
    }

    private void Work()
    {
        try
        {
            RunReport.WarmUp();
        }
        finally
        {
            warmedUp.SetResult();
        }

        try
        {
            while (!stopping)
            {
                if (current?.DrawNext() != true)
                {
                    wake.WaitOne();
                }
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Only a head start: the final pass draws whatever is missing, and reports what fails there.
        }
    }

    /// <summary>Forwards everything to the run folder and lets the live figures see each array and each complete observation.</summary>
    private sealed class ObservedSink(RunFolder folder, LiveFigures live, Action wake) : IRunSink
    {
        public void BeginMetrics(IReadOnlyList<string> columns) => folder.BeginMetrics(columns);

        public void AppendMetrics(long step, double epoch, IReadOnlyList<double> values)
        {
            folder.AppendMetrics(step, epoch, values);
            // After the write: the row closes its observation (arrays are written before it), so the snapshot is complete.
            if (live.RowWritten(step, epoch))
            {
                wake();
            }
        }

        public void WriteArray(string name, IReadOnlyList<int> shape, ReadOnlySpan<double> data)
        {
            folder.WriteArray(name, shape, data);
            live.ArrayWritten(name, shape, data);
        }

        // Every member of IRunSink, defaults included: a member left to its default here would be lost for the run folder.
        public void DescribeModel(ModelSpec model) => folder.DescribeModel(model);

        public void RecordReduction(Runtime.Reduction.ReductionResult result) => folder.RecordReduction(result);

        public void RecordEmbedding(Runtime.Embedding.EmbeddingResult result) => folder.RecordEmbedding(result);

        public void RestartAfterDivergence(DivergenceRetry retry)
        {
            folder.RestartAfterDivergence(retry);
            live.Restart();
        }
    }
}
