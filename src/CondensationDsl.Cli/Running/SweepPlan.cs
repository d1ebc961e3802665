using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>One cell of a sweep: the values it sets, and a stable id derived from them.</summary>
public sealed record SweepCell(IReadOnlyDictionary<string, double> Overrides, string Id, string Label);

/// <summary>
/// The cells to run: the Cartesian product of the sweep axes (in declaration order, last axis fastest), each merged with
/// the `--set` values. A `--set` of a swept name pins that axis to the one value.
/// </summary>
public static class SweepPlan
{
    public static IReadOnlyList<SweepCell> Expand(IReadOnlyList<SweepAxis> axes, IReadOnlyDictionary<string, double> overrides)
    {
        var free = axes.Where(axis => !overrides.ContainsKey(axis.Name)).ToArray();
        var cells = new List<SweepCell>();
        var indices = new int[free.Length];
        while (true)
        {
            var values = new Dictionary<string, double>(overrides, StringComparer.Ordinal);
            for (var i = 0; i < free.Length; i++)
            {
                values[free[i].Name] = free[i].Values[indices[i]];
            }

            var label = string.Join(",", free.Select((axis, i) => axis.Name + "=" + Format(axis.Values[indices[i]])));
            cells.Add(new SweepCell(values, IdOf(values), label));
            if (!Advance(indices, free))
            {
                return cells;
            }
        }
    }

    private static bool Advance(int[] indices, SweepAxis[] axes)
    {
        for (var i = axes.Length - 1; i >= 0; i--)
        {
            if (++indices[i] < axes[i].Values.Count)
            {
                return true;
            }

            indices[i] = 0;
        }

        return false;
    }

    /// <summary>A short hash of the cell's values (sorted by name), so a cell keeps its folder name when axes are reordered.</summary>
    private static string IdOf(IReadOnlyDictionary<string, double> values)
    {
        var canonical = string.Join(";", values.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Key + "=" + Format(pair.Value)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..10];
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
