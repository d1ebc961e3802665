namespace CondensationDsl.Analysis;

/// <summary>How many neurons a layer effectively uses (SCIENCE.md §2, "effective width" and "condensed width").</summary>
public static class Widths
{
    /// <summary>The number of non-negligible clusters.</summary>
    /// <remarks>Static and negligible neurons never enter a cluster, so every cluster counts.</remarks>
    public static int Effective(ClusterResult clusters)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        return clusters.ClusterCount;
    }

    /// <summary>The fewest clusters that together hold massFraction of the layer's total amplitude.</summary>
    /// <remarks>
    /// The total is the amplitude of the clustered neurons (static and negligible ones are already out). Summing the sorted
    /// amplitudes in one order for both the total and the running sum makes massFraction = 1 reach exactly the total.
    /// </remarks>
    public static int Condensed(ClusterResult clusters, double massFraction)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        if (double.IsNaN(massFraction) || massFraction <= 0 || massFraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(massFraction), massFraction, "The mass fraction must lie in (0, 1].");
        }

        var sorted = (double[])clusters.ClusterAmplitudes.Clone();
        Array.Sort(sorted, (x, y) => y.CompareTo(x));
        var total = 0.0;
        foreach (var amplitude in sorted)
        {
            total += amplitude;
        }

        if (sorted.Length == 0)
        {
            return 0;
        }

        var goal = massFraction * total;
        var running = 0.0;
        for (var c = 0; c < sorted.Length; c++)
        {
            running += sorted[c];
            if (running >= goal)
            {
                return c + 1;
            }
        }

        return sorted.Length;
    }
}
