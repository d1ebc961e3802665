namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Draws a run's per-snapshot figures (features and cosine heatmaps of each snapshot) while the run trains, so that only
/// the figures of the whole run are left for its end. The run hands over each array it writes and each metrics row;
/// another thread calls <see cref="DrawNext"/>; at the end <see cref="FigureRenderer.RenderAll(string, FigureOptions?, LiveFigures?)"/>
/// draws what is left, from the files, and skips what was drawn here.
/// </summary>
/// <remarks>
/// A figure drawn here is the file `cond report` draws from the finished folder: a per-snapshot figure depends only on its
/// snapshot, earlier snapshots and their steps' epochs (<see cref="FigureJob.Step"/>), and a snapshot is drawn only once the
/// metrics row of its step is written, so every array and epoch it uses is final and equal to what the files hold. The
/// arrays are kept as handed over rather than read back, so nothing here ever reads a file the run is still writing.
/// </remarks>
public sealed class LiveFigures
{
    private readonly object gate = new();
    private readonly string root;
    private readonly FigureOptions options;
    private readonly List<SnapshotArray> arrays = [];
    private readonly Dictionary<long, double> epochOfStep = [];

    /// <summary>Figures taken by a drawing thread (being drawn, or drawn); a failed one is handed back.</summary>
    private readonly HashSet<string> claimed = new(StringComparer.Ordinal);

    private readonly HashSet<string> drawn = new(StringComparer.Ordinal);

    /// <summary>Panels drawn with the snapshots for figures drawn later (<see cref="PanelCache"/>); replaced on a restart.</summary>
    private PanelCache panels;

    /// <summary>Counts restarts: a figure taken before one shows the failed attempt and must not count as drawn after it.</summary>
    private int attempt;
    private long readyStep = -1;
    private bool arraysSinceRow;
    private int inFlight;
    private bool closed;
    private string? experiment;

    /// <summary>model.json (written as the run starts), read when a figure is first drawn after it exists.</summary>
    private ModelDescription? model;

    public LiveFigures(string runDirectory, FigureOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        root = Path.GetFullPath(runDirectory);
        this.options = options ?? new FigureOptions();
        panels = new PanelCache();
    }

    /// <summary>The run wrote arrays/&lt;name&gt;.npy; keeps a copy (the caller's buffer may be reused).</summary>
    public void ArrayWritten(string name, IReadOnlyList<int> shape, ReadOnlySpan<double> data)
    {
        if (!SnapshotArray.TryParseName(name + ".npy", out var kind, out var layer, out var step))
        {
            return;
        }

        var array = new SnapshotArray(kind, layer, step, [.. shape], data.ToArray());
        lock (gate)
        {
            arrays.RemoveAll(a => a.Kind == kind && a.Layer == layer && a.Step == step); // rewritten: the file holds the last
            arrays.Add(array);
            arraysSinceRow = true;
        }
    }

    /// <summary>
    /// Training starts again after a divergence: forget the failed attempt's arrays and which figures were drawn, so the
    /// next attempt's snapshots are drawn afresh (its files replace the old ones; the run folder removed the rest).
    /// </summary>
    public void Restart()
    {
        lock (gate)
        {
            arrays.Clear();
            epochOfStep.Clear();
            claimed.Clear();
            drawn.Clear();
            readyStep = -1;
            arraysSinceRow = false;
            attempt++;
            // Not disposed: a figure being drawn may still hold its panels; their pixels go with the garbage collector.
            panels = new PanelCache();
        }
    }

    /// <summary>
    /// The run wrote the metrics row of <paramref name="step"/>: its observation (arrays first, row last) is complete.
    /// Returns whether that observation brought arrays, i.e. whether there may be figures to draw now. Cheap: called every row.
    /// </summary>
    public bool RowWritten(long step, double epoch)
    {
        lock (gate)
        {
            epochOfStep.TryAdd(step, epoch);
            readyStep = Math.Max(readyStep, step);
            var news = arraysSinceRow;
            arraysSinceRow = false;
            return news;
        }
    }

    /// <summary>
    /// Draws one per-snapshot figure whose snapshot is complete and that no thread has taken yet; false when there is none
    /// (or after <see cref="Close"/>). A figure that fails is handed back, for the final pass to draw and report.
    /// </summary>
    public bool DrawNext()
    {
        experiment ??= RunFiles.ExperimentName(root);
        model ??= RunFiles.TryReadModel(root);
        SnapshotArray[] ready;
        Dictionary<long, double> epochs;
        PanelCache cache;
        int takenIn;
        lock (gate)
        {
            if (closed || readyStep < 0)
            {
                return false;
            }

            // Only complete observations: a later one's arrays may be on their way, its row not yet written.
            var upTo = readyStep;
            ready = arrays.Where(a => a.Step <= upTo).ToArray();
            epochs = new Dictionary<long, double>(epochOfStep);
            cache = panels;
            takenIn = attempt;
        }

        var jobs = SnapshotJobs(RunFiles.InProgress(experiment, ready, epochs, cache, model), options).ToArray();
        FigureJob? job;
        lock (gate)
        {
            job = Array.Find(jobs, j => !claimed.Contains(j.Name));
            if (closed || job is null || takenIn != attempt)
            {
                // A restart since the arrays were taken: the next call draws from the new attempt's.
                return !closed && job is not null;
            }

            claimed.Add(job.Name);
            inFlight++;
        }

        var ok = false;
        try
        {
            FigureRenderer.Draw(root, job);
            ok = true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Handed back below: the final pass draws it again and lets the failure reach the report's error file.
        }
        finally
        {
            lock (gate)
            {
                inFlight--;
                if (takenIn != attempt)
                {
                    // The run restarted meanwhile: this figure showed the failed attempt, and the new one draws its own.
                }
                else if (ok)
                {
                    drawn.Add(job.Name);
                }
                else
                {
                    claimed.Remove(job.Name);
                }

                Monitor.PulseAll(gate);
            }
        }

        return true;
    }

    /// <summary>Stops <see cref="DrawNext"/> from taking new figures; one being drawn is finished.</summary>
    public void Close()
    {
        lock (gate)
        {
            closed = true;
        }
    }

    /// <summary>
    /// The panels drawn here, for the final pass drawn with <paramref name="figureOptions"/>; null when those differ from
    /// the options the panels were drawn with.
    /// </summary>
    internal PanelCache? PanelsFor(FigureOptions figureOptions)
    {
        lock (gate)
        {
            return figureOptions == options ? panels : null;
        }
    }

    /// <summary>
    /// After <see cref="Close"/> and the final pass: waits for the figure being drawn here, if any, and frees the panels.
    /// </summary>
    internal void Release()
    {
        lock (gate)
        {
            closed = true;
            while (inFlight > 0)
            {
                Monitor.Wait(gate);
            }

            panels.Dispose();
        }
    }

    /// <summary>Every array the run handed over: what its arrays folder holds, without reading it back.</summary>
    internal IReadOnlyList<SnapshotArray> Arrays()
    {
        lock (gate)
        {
            return [.. arrays];
        }
    }

    /// <summary>Takes <paramref name="name"/> for the caller to draw: false when it is drawn or being drawn here.</summary>
    internal bool TryClaim(string name)
    {
        lock (gate)
        {
            return claimed.Add(name);
        }
    }

    /// <summary>Waits for the figure being drawn here, if any; returns whether <paramref name="name"/> was drawn here.</summary>
    internal bool WaitDrawn(string name)
    {
        lock (gate)
        {
            while (inFlight > 0)
            {
                Monitor.Wait(gate);
            }

            return drawn.Contains(name);
        }
    }

    /// <summary>
    /// The figures that can be drawn before the run ends, snapshot by snapshot (each in the order
    /// <see cref="FigureRenderer"/> lists them): every kind of figure is then drawn for the first time early in the run,
    /// and with it the code that draws it is compiled early. While new code is being compiled the runtime does not start
    /// optimizing the training loop's hot methods, so a kind first drawn late keeps training on unoptimized code longer.
    /// </summary>
    internal static IEnumerable<FigureJob> SnapshotJobs(RunFiles run, FigureOptions options) =>
        FeatureFigures.Jobs(run, options).Concat(CosineFigures.Jobs(run, options)).Where(job => job.Step is not null).OrderBy(job => job.Step);
}
