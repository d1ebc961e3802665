namespace CondensationDsl.Analysis;

/// <summary>Neuron orders that make blocks visible in similarity heatmaps (SCIENCE.md §2, "heatmap ordering").</summary>
public static class HeatmapOrder
{
    /// <summary>
    /// Neurons sorted by their component of the leading eigenvector of the symmetric n×n <paramref name="similarity"/> matrix
    /// (what the authors' notebooks do): parallel neurons get equal components and sit together; opposite groups go to the
    /// two ends. The eigenvector comes from power iteration, with its sign fixed so the largest |component| is positive.
    /// </summary>
    public static int[] ByLeadingEigenvector(ReadOnlySpan<double> similarity, int n, int maxIterations = 1000, double tolerance = 1e-12)
    {
        var v = LeadingEigenvector(similarity, n, maxIterations, tolerance);
        var order = Identity(n);
        Array.Sort(order, (i, j) =>
        {
            var byValue = v[i].CompareTo(v[j]);
            return byValue != 0 ? byValue : i.CompareTo(j);
        });
        return order;
    }

    /// <summary>
    /// Power iteration for the eigenvector of the largest eigenvalue of a symmetric positive semi-definite matrix (cosine
    /// matrices are Gram matrices, hence PSD). Returns a unit vector; deterministic.
    /// </summary>
    public static double[] LeadingEigenvector(ReadOnlySpan<double> matrix, int n, int maxIterations = 1000, double tolerance = 1e-12)
    {
        Guard.NotNegative(n, nameof(n));
        Guard.Length(matrix.Length, n * n, nameof(matrix));
        if (n == 0)
        {
            return [];
        }

        // A fixed, uneven start: the all-ones vector is orthogonal to the leading eigenvector of two opposite groups
        // ([[1, −1], [−1, 1]]), so power iteration would never leave the zero eigenvalue from there.
        var v = new double[n];
        for (var i = 0; i < n; i++)
        {
            v[i] = 1.0 + (0.5 * Math.Sin(1.0 + (2.3 * i)));
        }

        Normalize(v);
        var next = new double[n];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            for (var i = 0; i < n; i++)
            {
                next[i] = Vectors.Dot(matrix.Slice(i * n, n), v);
            }

            if (Normalize(next) == 0)
            {
                break;
            }

            var change = 0.0;
            for (var i = 0; i < n; i++)
            {
                change = Math.Max(change, Math.Abs(next[i] - v[i]));
            }

            (v, next) = (next, v);
            if (change < tolerance)
            {
                break;
            }
        }

        FixSign(v);
        return v;
    }

    /// <summary>
    /// Cluster 0 first, then 1, …; left-out neurons (static or negligible) last. Within a cluster, the leader first (when
    /// <see cref="ClusterResult.Leaders"/> is set) and then by decreasing similarity to it when <paramref name="similarity"/>
    /// (n×n) is given; remaining ties by neuron index.
    /// </summary>
    public static int[] ByCluster(ClusterResult clusters, ReadOnlySpan<double> similarity = default)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        var n = clusters.Assignment.Length;
        var hasLeaders = clusters.Leaders.Length == clusters.ClusterCount;
        var useSimilarity = !similarity.IsEmpty && hasLeaders;
        if (!similarity.IsEmpty)
        {
            Guard.Length(similarity.Length, n * n, nameof(similarity));
        }

        var toLeader = new double[n];
        for (var k = 0; k < n; k++)
        {
            var c = clusters.Assignment[k];
            if (c >= 0 && hasLeaders && clusters.Leaders[c] == k)
            {
                // Above any cosine, so the leader heads its block even when members are exactly parallel to it.
                toLeader[k] = double.PositiveInfinity;
            }
            else
            {
                toLeader[k] = useSimilarity && c >= 0 ? similarity[(clusters.Leaders[c] * n) + k] : 0;
            }
        }

        var order = Identity(n);
        var assignment = clusters.Assignment;
        Array.Sort(order, (i, j) =>
        {
            // −1 (left out) maps to int.MaxValue so those neurons sort after every cluster.
            var ci = assignment[i] < 0 ? int.MaxValue : assignment[i];
            var cj = assignment[j] < 0 ? int.MaxValue : assignment[j];
            var byCluster = ci.CompareTo(cj);
            if (byCluster != 0)
            {
                return byCluster;
            }

            var bySimilarity = toLeader[j].CompareTo(toLeader[i]);
            return bySimilarity != 0 ? bySimilarity : i.CompareTo(j);
        });
        return order;
    }

    /// <summary>The n×n matrix with rows and columns taken in <paramref name="order"/>: result[i, j] = matrix[order[i], order[j]].</summary>
    public static double[] Permute(ReadOnlySpan<double> matrix, int n, IReadOnlyList<int> order)
    {
        ArgumentNullException.ThrowIfNull(order);
        Guard.Length(matrix.Length, n * n, nameof(matrix));
        Guard.Length(order.Count, n, nameof(order));
        var result = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                result[(i * n) + j] = matrix[(order[i] * n) + order[j]];
            }
        }

        return result;
    }

    private static int[] Identity(int n)
    {
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        return order;
    }

    private static double Normalize(double[] v)
    {
        var norm = Math.Sqrt(Vectors.Dot(v, v));
        if (norm > 0)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] /= norm;
            }
        }

        return norm;
    }

    private static void FixSign(double[] v)
    {
        var largest = 0;
        for (var i = 1; i < v.Length; i++)
        {
            if (Math.Abs(v[i]) > Math.Abs(v[largest]))
            {
                largest = i;
            }
        }

        if (v.Length > 0 && v[largest] < 0)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] = -v[i];
            }
        }
    }
}
