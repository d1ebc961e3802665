using System.Globalization;
using CondensationDsl.Analysis;

namespace CondensationDsl.Reporting.Figures;

/// <summary>A heatmap's neuron order and the words that declare it in the caption.</summary>
internal sealed record NeuronOrder(int[] Order, bool IsClusterOrder, string Description)
{
    public const string Eigenvector = "eigenvector";
    public const string Cluster = "cluster";

    /// <summary>
    /// Leading-eigenvector order of <paramref name="cosine"/> (n×n), or with <paramref name="mode"/> "cluster" the order of a
    /// leader clustering of <paramref name="weights"/> (rows (w, b), the vectors whose cosines the matrix holds), using the
    /// features' amplitudes and static flags when they match. Cluster order needs the weights; without them (or for a matrix
    /// that is not over the weights' rows) the eigenvector order is used and the caption says so.
    /// </summary>
    public static NeuronOrder For(double[] cosine, int n, string mode, double threshold, SnapshotArray? weights, FeatureSnapshot? features)
    {
        // Each snapshot's heatmap sits beside the initial state's, so during a live run the same matrix (the same array:
        // snapshots are held once) is ordered again for every figure; the order depends only on the arguments.
        var byCluster = string.Equals(mode, Cluster, StringComparison.OrdinalIgnoreCase);
        var key = byCluster ? (n, mode, threshold, weights?.Data, features) : (n, mode, 0.0, (double[]?)null, (FeatureSnapshot?)null);
        var known = Memo.GetOrCreateValue(cosine);
        lock (known)
        {
            if (known.TryGetValue(key, out var order))
            {
                return order;
            }
        }

        var computed = Compute(cosine, n, mode, threshold, weights, features);
        lock (known)
        {
            known[key] = computed;
        }

        return computed;
    }

    /// <summary>Orders already computed, per cosine matrix array: forgotten with the array.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<double[], Dictionary<(int, string, double, double[]?, FeatureSnapshot?), NeuronOrder>> Memo = new();

    private static NeuronOrder Compute(double[] cosine, int n, string mode, double threshold, SnapshotArray? weights, FeatureSnapshot? features)
    {
        // A zero-norm neuron has NaN cosines; power iteration would spread the NaN to every component.
        var finite = cosine.Select(v => double.IsFinite(v) ? v : 0).ToArray();
        if (string.Equals(mode, Cluster, StringComparison.OrdinalIgnoreCase))
        {
            if (CanCluster(weights, n))
            {
                var dim = weights!.Shape[1];
                return ByCluster(finite, n, threshold, weights.Data, dim, features);
            }

            return new NeuronOrder(HeatmapOrder.ByLeadingEigenvector(finite, n), false, "neurons in leading-eigenvector order (no weights array for cluster order)");
        }

        return new NeuronOrder(HeatmapOrder.ByLeadingEigenvector(finite, n), false, "neurons in leading-eigenvector order");
    }

    /// <summary>Whether <paramref name="weights"/> holds one row per neuron of an n-neuron matrix, as cluster order needs.</summary>
    public static bool CanCluster(SnapshotArray? weights, int n) => weights is { Shape: [var rows, > 0] } && rows == n;

    private static NeuronOrder ByCluster(double[] cosine, int n, double threshold, double[] directions, int dim, FeatureSnapshot? features)
    {
        var useFeatures = features is not null && features.Count == n;
        var amplitudes = new double[n];
        var isStatic = new bool[n];
        for (var k = 0; k < n; k++)
        {
            var a = useFeatures ? features!.Amplitude[k] : Norm(directions.AsSpan(k * dim, dim));
            amplitudes[k] = double.IsFinite(a) && a >= 0 ? a : 0;
            isStatic[k] = useFeatures && features!.Static[k];
        }

        // SCIENCE.md §2 defaults: opposite directions are separate clusters; amplitude below 1e-3 of the largest is negligible.
        var clusters = Clustering.Leader(directions, n, dim, amplitudes, isStatic, threshold, signed: true, negligibleFraction: 1e-3);
        var left = clusters.StaticCount + clusters.NegligibleCount;
        var tail = left > 0 ? $"; {left} static or negligible neurons last)" : ")";
        var description = string.Create(CultureInfo.InvariantCulture,
            $"neurons in cluster order (leader clustering at τ = {threshold:0.###}: {clusters.ClusterCount} clusters, each led by its largest neuron{tail}");
        return new NeuronOrder(HeatmapOrder.ByCluster(clusters, cosine), true, description);
    }

    private static double Norm(ReadOnlySpan<double> u)
    {
        var sum = 0.0;
        foreach (var x in u)
        {
            sum += x * x;
        }

        return Math.Sqrt(sum);
    }
}
