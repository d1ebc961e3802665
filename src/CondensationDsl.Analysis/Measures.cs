namespace CondensationDsl.Analysis;

/// <summary>Placeholder signatures; replaced by the analysis work item.</summary>
public static class Features
{
    /// <summary>Features of neurons h(x) = Σ a_k σ(w_k x + b_k) with 1-D input; isStatic marks neurons never active on the data.</summary>
    public static FeatureTable OneDimensional(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> a, bool[] isStatic, AmplitudeConvention convention) =>
        throw new NotImplementedException();
}

public static class StaticNeurons
{
    /// <summary>A ReLU neuron is static when its pre-activation is ≤ 0 on every input. preActivations is inputs×neurons, row-major.</summary>
    public static bool[] FromPreActivations(ReadOnlySpan<double> preActivations, int inputs, int neurons) => throw new NotImplementedException();
}

public static class Similarity
{
    /// <summary>Cosine matrix D(u_i, u_j) of the rows of a rows×columns matrix; a zero row gets cosine 0 with everything (1 with itself).</summary>
    public static double[] CosineMatrix(ReadOnlySpan<double> rows, int count, int dimension) => throw new NotImplementedException();
}

public static class Clustering
{
    /// <summary>
    /// Leader clustering without chaining (SCIENCE.md §2): neurons in order of decreasing amplitude; one joins the first cluster
    /// whose leader direction has D ≥ threshold (or |D| ≥ threshold when signed is false), else it leads a new cluster.
    /// Static neurons and those with amplitude &lt; negligibleFraction·max amplitude are left out.
    /// </summary>
    public static ClusterResult Leader(ReadOnlySpan<double> directions, int count, int dimension, ReadOnlySpan<double> amplitudes, bool[] isStatic, double threshold, bool signed, double negligibleFraction) =>
        throw new NotImplementedException();
}

public static class Widths
{
    /// <summary>The number of non-negligible clusters.</summary>
    public static int Effective(ClusterResult clusters) => throw new NotImplementedException();

    /// <summary>The fewest clusters that together hold massFraction of the layer's total amplitude.</summary>
    public static int Condensed(ClusterResult clusters, double massFraction) => throw new NotImplementedException();
}

public static class RelativeDistance
{
    /// <summary>RD = ‖current − initial‖₂ / ‖initial‖₂.</summary>
    public static double Compute(ReadOnlySpan<double> initial, ReadOnlySpan<double> current) => throw new NotImplementedException();
}
