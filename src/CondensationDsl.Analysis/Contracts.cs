namespace CondensationDsl.Analysis;

// Public result types of the analysis library (SCIENCE.md §2). The functions live one concept per file.

public enum AmplitudeConvention
{
    /// <summary>A_k = |a_k|·‖(w_k, b_k)‖.</summary>
    Full,

    /// <summary>A_k = ‖(w_k, b_k)‖ (some sources drop |a_k|).</summary>
    Input,
}

/// <summary>Orientation θ (radians, (−π, π]) and amplitude A of each neuron of a 1-D-input layer, and whether it is static.</summary>
public sealed record FeatureTable(double[] Orientation, double[] Amplitude, bool[] Static);

/// <summary>
/// The result of clustering a layer. <see cref="Assignment"/>[k] is the cluster of neuron k, or −1 when the neuron was
/// left out (static or negligible). Clusters are numbered in order of creation (decreasing leader amplitude).
/// </summary>
public sealed record ClusterResult(
    int[] Assignment,
    int ClusterCount,
    int[] ClusterSizes,
    double[] ClusterAmplitudes,
    int StaticCount,
    int NegligibleCount)
{
    /// <summary>
    /// Leaders[c] is the neuron that founded cluster c. Not a constructor parameter so that code building a
    /// ClusterResult by hand (tests, other callers) keeps compiling; empty when the builder did not set it.
    /// </summary>
    public int[] Leaders { get; init; } = [];
}
