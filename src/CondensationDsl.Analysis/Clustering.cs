namespace CondensationDsl.Analysis;

/// <summary>Groups a layer's neurons by direction (SCIENCE.md §2, "clusters").</summary>
public static class Clustering
{
    /// <summary>
    /// Leader clustering without chaining (SCIENCE.md §2): neurons in order of decreasing amplitude; one joins the first cluster
    /// whose leader direction has D ≥ threshold (or |D| ≥ threshold when signed is false), else it leads a new cluster.
    /// Static neurons and those with amplitude &lt; negligibleFraction·max amplitude are left out.
    /// </summary>
    /// <remarks>
    /// A neuron is compared with leaders only, never with other members, so similarity cannot chain: single linkage would
    /// join 1 000 random 2-D directions into one group at τ = 0.9 and make a non-condensed layer look condensed.
    /// Equal amplitudes are ordered by neuron index, so the result depends on nothing but the inputs.
    /// The maximum amplitude is taken over non-static neurons: a static neuron's size says nothing about the function.
    /// </remarks>
    public static ClusterResult Leader(ReadOnlySpan<double> directions, int count, int dimension, ReadOnlySpan<double> amplitudes, bool[] isStatic, double threshold, bool signed, double negligibleFraction)
    {
        ArgumentNullException.ThrowIfNull(isStatic);
        Guard.NotNegative(count, nameof(count));
        Guard.NotNegative(dimension, nameof(dimension));
        Guard.Length(directions.Length, count * dimension, nameof(directions));
        Guard.Length(amplitudes.Length, count, nameof(amplitudes));
        Guard.Length(isStatic.Length, count, nameof(isStatic));
        if (double.IsNaN(threshold) || threshold < -1 || threshold > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The similarity threshold must lie in [−1, 1].");
        }

        if (double.IsNaN(negligibleFraction) || negligibleFraction < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(negligibleFraction), negligibleFraction, "The negligible fraction must be ≥ 0.");
        }

        var maxAmplitude = 0.0;
        for (var k = 0; k < count; k++)
        {
            if (!double.IsFinite(amplitudes[k]) || amplitudes[k] < 0)
            {
                throw new ArgumentException($"Amplitude of neuron {k} is {amplitudes[k]}; amplitudes must be finite and ≥ 0.", nameof(amplitudes));
            }

            if (!isStatic[k])
            {
                maxAmplitude = Math.Max(maxAmplitude, amplitudes[k]);
            }
        }

        var assignment = new int[count];
        var cutoff = negligibleFraction * maxAmplitude;
        var staticCount = 0;
        var negligibleCount = 0;
        var candidates = new List<int>(count);
        for (var k = 0; k < count; k++)
        {
            assignment[k] = -1;
            if (isStatic[k])
            {
                staticCount++;
            }
            else if (amplitudes[k] < cutoff)
            {
                negligibleCount++;
            }
            else
            {
                candidates.Add(k);
            }
        }

        var amps = amplitudes.ToArray();
        candidates.Sort((i, j) =>
        {
            var byAmplitude = amps[j].CompareTo(amps[i]);
            return byAmplitude != 0 ? byAmplitude : i.CompareTo(j);
        });

        var norms = new double[count];
        foreach (var k in candidates)
        {
            norms[k] = Vectors.Norm(directions.Slice(k * dimension, dimension));
        }

        var leaders = new List<int>();
        var sizes = new List<int>();
        var clusterAmplitudes = new List<double>();
        foreach (var k in candidates)
        {
            var u = directions.Slice(k * dimension, dimension);
            var joined = -1;
            for (var c = 0; c < leaders.Count; c++)
            {
                var leader = leaders[c];
                var d = Vectors.Cosine(u, norms[k], directions.Slice(leader * dimension, dimension), norms[leader]);
                if (signed ? d >= threshold : Math.Abs(d) >= threshold)
                {
                    joined = c;
                    break;
                }
            }

            if (joined < 0)
            {
                joined = leaders.Count;
                leaders.Add(k);
                sizes.Add(0);
                clusterAmplitudes.Add(0);
            }

            assignment[k] = joined;
            sizes[joined]++;
            clusterAmplitudes[joined] += amps[k];
        }

        return new ClusterResult(assignment, leaders.Count, [.. sizes], [.. clusterAmplitudes], staticCount, negligibleCount)
        {
            Leaders = [.. leaders],
        };
    }
}
