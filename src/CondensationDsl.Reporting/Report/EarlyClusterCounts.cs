namespace CondensationDsl.Reporting.Report;

/// <summary>The early cluster count of a layer and, when metrics.csv has it, its number of lines at the same step.</summary>
internal sealed record EarlyCondensation(SteppedValue Clusters, double? Lines);

/// <summary>
/// The cluster count "early in training" that the 2p bound speaks about: clusters.&lt;layer&gt; at the first observation
/// after step 0 (step 0 is the initial state, before any condensation could happen), with lines.&lt;layer&gt; (clusters of
/// at least line_size neurons) of the same row.
/// </summary>
internal static class EarlyClusterCounts
{
    /// <summary>Layer name → its early counts, for each layer that has a measured clusters.&lt;layer&gt; after step 0.</summary>
    public static IReadOnlyDictionary<string, EarlyCondensation> Find(MetricsTable table, IEnumerable<string> layers)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(layers);
        var found = new Dictionary<string, EarlyCondensation>(StringComparer.Ordinal);
        var step = table.IndexOf(MetricsCsvWriter.StepColumn);
        if (step < 0)
        {
            return found;
        }

        foreach (var layer in layers)
        {
            var column = table.IndexOf("clusters." + layer);
            var lines = table.IndexOf("lines." + layer);
            if (column < 0)
            {
                continue;
            }

            foreach (var row in table.Rows)
            {
                if (row[step] > 0 && !double.IsNaN(row[column]))
                {
                    found[layer] = new EarlyCondensation(
                        new SteppedValue(row[step], row[column]), lines >= 0 && !double.IsNaN(row[lines]) ? row[lines] : null);
                    break;
                }
            }
        }

        return found;
    }
}
