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
        RenderAll(runDirectory, parallel: true, options);

    /// <summary>As <see cref="RenderAll(string, FigureOptions?)"/>; <paramref name="parallel"/> false draws on the calling thread only.</summary>
    internal static IReadOnlyList<FigureFile> RenderAll(string runDirectory, bool parallel, FigureOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        options ??= new FigureOptions();
        var root = Path.GetFullPath(runDirectory);
        if (!Directory.Exists(root))
        {
            return [];
        }

        var run = RunFiles.Read(root);
        var jobs = FeatureFigures.Jobs(run, options)
            .Concat(CosineFigures.Jobs(run, options))
            .Concat(ClusterFigures.Jobs(run))
            .Concat(LossFigure.Jobs(run))
            .ToArray();
        if (jobs.Length == 0)
        {
            return [];
        }

        var folder = Path.Combine(root, FiguresFolderName);
        Directory.CreateDirectory(folder);

        // Figures are independent; rendering and PNG encoding dominate, so they run in parallel.
        var results = new FigureFile[jobs.Length];
        void Draw(int i)
        {
            var job = jobs[i];
            var png = Path.Combine(folder, job.Name + ".png");
            var svg = Path.Combine(folder, job.Name + ".svg");
            job.Render(png, svg);
            results[i] = new FigureFile(job.Name, job.Kind, job.Caption, png, svg);
        }

        if (parallel)
        {
            Parallel.For(0, jobs.Length, Draw);
        }
        else
        {
            for (var i = 0; i < jobs.Length; i++)
            {
                Draw(i);
            }
        }

        return results;
    }
}
