namespace CondensationDsl.Reporting.Figures;

/// <summary>How the figures are drawn; the defaults suit a first look at a run.</summary>
public sealed record FigureOptions
{
    /// <summary>Plot log10(A) instead of A in the feature figures (amplitudes span decades under small initialization).</summary>
    public bool LogAmplitude { get; init; }

    /// <summary>Draw each neuron's path across the feature snapshots as a thin line.</summary>
    public bool Trajectories { get; init; }

    /// <summary>
    /// "eigenvector" (sort by the leading eigenvector of the cosine matrix, what the authors' notebooks do) or "cluster"
    /// (leader clustering of the weights, cluster by cluster, each led by its leader); SCIENCE.md §2 "heatmap ordering".
    /// </summary>
    public string HeatmapOrder { get; init; } = "eigenvector";

    /// <summary>
    /// τ of the leader clustering behind "cluster" order. The run's own threshold is not in its files, so it is an option;
    /// 0.95 is SCIENCE.md's default (0.99 suits 1-D inputs).
    /// </summary>
    public double ClusterThreshold { get; init; } = 0.95;
}
