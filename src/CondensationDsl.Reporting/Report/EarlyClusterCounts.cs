namespace CondensationDsl.Reporting.Report;

/// <summary>
/// The cluster count "early in training" that the 2p bound speaks about: clusters.&lt;layer&gt; at the first observation
/// after step 0 (step 0 is the initial state, before any condensation could happen).
/// </summary>
internal static class EarlyClusterCounts
{
    /// <summary>Layer name → (step, count) for each layer that has a measured clusters.&lt;layer&gt; after step 0.</summary>
    public static IReadOnlyDictionary<string, SteppedValue> Find(MetricsTable table, IEnumerable<string> layers)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(layers);
        var found = new Dictionary<string, SteppedValue>(StringComparer.Ordinal);
        var step = table.IndexOf(MetricsCsvWriter.StepColumn);
        if (step < 0)
        {
            return found;
        }

        foreach (var layer in layers)
        {
            var column = table.IndexOf("clusters." + layer);
            if (column < 0)
            {
                continue;
            }

            foreach (var row in table.Rows)
            {
                if (row[step] > 0 && !double.IsNaN(row[column]))
                {
                    found[layer] = new SteppedValue(row[step], row[column]);
                    break;
                }
            }
        }

        return found;
    }
}
