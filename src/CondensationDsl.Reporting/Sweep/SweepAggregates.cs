using System.Globalization;
using System.Text;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// The cells of a seed sweep grouped by every other parameter: how many completed, and the mean and standard deviation
/// over them of every final metric. Only when `seed` takes several values: without it, a group is one cell.
/// </summary>
/// <remarks>
/// Only completed cells are aggregated: a failed or diverged cell's last values are where it stopped, not a result of the
/// same training, and averaging them in would hide that. They are counted apart (<see cref="Group.NotCompleted"/>).
/// The standard deviation is the sample one (n − 1), empty for n &lt; 2; a metric some completed cell of the group lacks
/// (not measured there) has no mean, rather than a mean over fewer cells than n.
/// </remarks>
internal static class SweepAggregates
{
    public const string SeedParameter = "seed";

    /// <summary>One group: its parameter values (every parameter but seed), its completed cells' count, and per metric mean and std.</summary>
    public sealed record Group(
        IReadOnlyList<KeyValuePair<string, string>> Key,
        int N,
        int NotCompleted,
        IReadOnlyList<(string Metric, double Mean, double Std)> Metrics);

    /// <summary>Whether the sweep varies the seed (and so has groups worth a table).</summary>
    public static bool Applies(IReadOnlyList<string> swept) => swept.Contains(SeedParameter, StringComparer.Ordinal);

    /// <summary>The groups in the order their first cell appears.</summary>
    public static IReadOnlyList<Group> Compute(IReadOnlyList<SweepCell> cells)
    {
        var parameters = cells.SelectMany(cell => cell.Run.Parameters.Select(p => p.Key))
            .Distinct(StringComparer.Ordinal).Where(name => name != SeedParameter).ToArray();
        var metrics = cells.SelectMany(cell => cell.FinalMetrics.Select(m => m.Key)).Distinct(StringComparer.Ordinal).ToArray();
        return cells
            .GroupBy(cell => string.Join("\u001f", parameters.Select(name => SweepSummary.ValueOf(cell, name))), StringComparer.Ordinal)
            .Select(group =>
            {
                var completed = group.Where(cell => cell.Run.Status == "completed").ToArray();
                var key = parameters.Select(name => new KeyValuePair<string, string>(name, SweepSummary.ValueOf(group.First(), name))).ToArray();
                var stats = metrics.Select(metric => Statistics(metric, completed)).ToArray();
                return new Group(key, completed.Length, group.Count() - completed.Length, stats);
            })
            .ToArray();
    }

    private static (string Metric, double Mean, double Std) Statistics(string metric, IReadOnlyList<SweepCell> cells)
    {
        var values = cells.Select(cell => cell.FinalMetrics.FirstOrDefault(m => m.Key == metric, new(metric, double.NaN)).Value).ToArray();
        if (values.Length == 0 || values.Any(double.IsNaN))
        {
            return (metric, double.NaN, double.NaN);
        }

        if (values.All(value => value == values[0]))
        {
            // Exactly: a sum of n equal values divided by n need not give the value back (0.2 · 3 / 3 ≠ 0.2).
            return (metric, values[0], values.Length < 2 ? double.NaN : 0);
        }

        var mean = values.Average();
        var std = values.Length < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return (metric, mean, std);
    }

    /// <summary>sweep-summary.csv: the group's parameters, n, not_completed, then mean.&lt;metric&gt; and std.&lt;metric&gt; per metric.</summary>
    public static string RenderCsv(IReadOnlyList<Group> groups)
    {
        var csv = new StringBuilder();
        var first = groups.FirstOrDefault();
        var header = (first?.Key.Select(p => p.Key) ?? []).Concat(["n", "not_completed"])
            .Concat((first?.Metrics ?? []).SelectMany(m => new[] { "mean." + m.Metric, "std." + m.Metric }));
        csv.AppendJoin(',', header.Select(SweepCsv.Quote)).Append('\n');
        foreach (var group in groups)
        {
            var fields = group.Key.Select(p => p.Value)
                .Concat([group.N.ToString(CultureInfo.InvariantCulture), group.NotCompleted.ToString(CultureInfo.InvariantCulture)])
                .Concat(group.Metrics.SelectMany(m => new[] { SweepSummary.Number(m.Mean), SweepSummary.Number(m.Std) }));
            csv.AppendJoin(',', fields.Select(SweepCsv.Quote)).Append('\n');
        }

        return csv.ToString();
    }
}
