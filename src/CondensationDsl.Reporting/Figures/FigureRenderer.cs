namespace CondensationDsl.Reporting.Figures;

/// <summary>Draws a run folder's figures from its files alone (run.json, metrics.csv, arrays/*.npy) into figures/.</summary>
public static class FigureRenderer
{
    public const string FiguresFolderName = "figures";

    /// <summary>
    /// Every figure the folder's files allow, as figures/&lt;name&gt;.png and .svg, in a stable order (features, cosine,
    /// clusters, loss). Missing or unreadable inputs mean no figure, never an exception; a missing folder gives none.
    /// </summary>
    public static IReadOnlyList<FigureFile> RenderAll(string runDirectory, FigureOptions? options = null) =>
        RenderAll(runDirectory, parallel: true, options, live: null);

    /// <summary>
    /// As <see cref="RenderAll(string, FigureOptions?)"/>, for a run whose per-snapshot figures <paramref name="live"/> drew
    /// while it trained: those are not drawn again (they are the same files), the rest are. Closes <paramref name="live"/>
    /// once every figure is taken.
    /// </summary>
    public static IReadOnlyList<FigureFile> RenderAll(string runDirectory, FigureOptions? options, LiveFigures? live) =>
        RenderAll(runDirectory, parallel: true, options, live);

    /// <summary>As <see cref="RenderAll(string, FigureOptions?)"/>; <paramref name="parallel"/> false draws on the calling thread only.</summary>
    internal static IReadOnlyList<FigureFile> RenderAll(string runDirectory, bool parallel, FigureOptions? options = null, LiveFigures? live = null)
    {
        PanelCache? panels = null;
        PanelCache? livePanels = null;
        try
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
            options ??= new FigureOptions();
            var root = Path.GetFullPath(runDirectory);
            // The live figures' panels (the small multiples' panels of earlier snapshots, the initial heatmaps) when they
            // were drawn as these figures are; else this pass's own, shared by its figures.
            livePanels = live?.PanelsFor(options);
            panels = livePanels ?? new PanelCache();
            return Directory.Exists(root) ? Render(root, options, live, panels, parallel) : [];
        }
        finally
        {
            // Whatever happened, the live figures take no more figures and free their panels (after the one in hand).
            live?.Close();
            if (livePanels is null)
            {
                panels?.Dispose();
            }

            live?.Release();
        }
    }

    private static IReadOnlyList<FigureFile> Render(string root, FigureOptions options, LiveFigures? live, PanelCache panels, bool parallel)
    {
        // A live run's arrays are those the live figures were handed (the same values the files hold): no need to read
        // them back at the run's end, when every millisecond counts.
        var run = live is null ? RunFiles.Read(root, panels) : RunFiles.Read(root, live.Arrays(), panels);
        var jobs = FeatureFigures.Jobs(run, options)
            .Concat(CosineFigures.Jobs(run, options))
            .Concat(ClusterFigures.Jobs(run))
            .Concat(AlignmentFigures.Jobs(run))
            .Concat(LossFigure.Jobs(run))
            .Concat(AccuracyFigure.Jobs(run))
            .ToArray();

        // Figures are independent; rendering and PNG encoding dominate, so they run in parallel.
        var results = jobs.Select(job => FileOf(root, job)).ToArray();
        var takenByLive = new bool[jobs.Length];
        void Draw(int i)
        {
            if (live is null || live.TryClaim(jobs[i].Name))
            {
                FigureRenderer.Draw(root, jobs[i]);
            }
            else
            {
                takenByLive[i] = true;
            }
        }

        try
        {
            DrawEach(jobs.Length, parallel ? Environment.ProcessorCount : 1, Draw);
        }
        finally
        {
            // The live renderer may take snapshot figures until here (each figure goes to whoever claims it first), which
            // keeps its thread busy at the run's end; from now on it takes none.
            live?.Close();
        }

        // What the live renderer had taken is done once it finishes the figure in hand; one that failed there is drawn here.
        for (var i = 0; i < jobs.Length; i++)
        {
            if (takenByLive[i] && !live!.WaitDrawn(jobs[i].Name))
            {
                FigureRenderer.Draw(root, jobs[i]);
            }
        }

        return results;
    }

    /// <summary>
    /// Calls <paramref name="draw"/> for 0..count−1 on the calling thread and up to <paramref name="threads"/> − 1 more, each
    /// taking the next index when it is free; a figure that fails does not stop the others, and every failure is thrown
    /// once all are done. Not Parallel.For: its range partitioning can leave one thread with the two largest figures, and
    /// its generic machinery is compiled at the run's end, while one thread is all the warm-up (<see cref="FigureWarmUp"/>)
    /// gives this loop, so the loop itself is compiled there.
    /// </summary>
    internal static void DrawEach(int count, int threads, Action<int> draw)
    {
        var next = -1;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void Work()
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                try
                {
                    draw(i);
                }
                catch (Exception exception)
                {
                    failures.Enqueue(exception);
                }
            }
        }

        var helpers = Enumerable.Range(0, Math.Clamp(Math.Min(threads, count) - 1, 0, 64)).Select(_ => Task.Run(Work)).ToArray();
        Work();
        Task.WaitAll(helpers);
        if (failures.Count == 1 && failures.TryPeek(out var only))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(only);
        }
        else if (!failures.IsEmpty)
        {
            throw new AggregateException(failures);
        }
    }

    /// <summary>Draws <paramref name="job"/> into the figures folder of the run at <paramref name="root"/>.</summary>
    internal static void Draw(string root, FigureJob job)
    {
        var file = FileOf(root, job);
        Directory.CreateDirectory(Path.GetDirectoryName(file.PngPath)!);
        job.Render(file.PngPath, file.SvgPath);
    }

    private static FigureFile FileOf(string root, FigureJob job)
    {
        var folder = Path.Combine(root, FiguresFolderName);
        return new FigureFile(job.Name, job.Kind, job.Caption, Path.Combine(folder, job.Name + ".png"), Path.Combine(folder, job.Name + ".svg"));
    }
}
