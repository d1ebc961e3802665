using System.Security.Cryptography;
using System.Text;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>One cell of a sweep: the values it sets, and a stable id derived from them.</summary>
public sealed record SweepCell(IReadOnlyDictionary<string, double> Overrides, string Id, string Label);

/// <summary>
/// The cells to run: the Cartesian product of the sweep axes (in declaration order, last axis fastest; a tuple axis
/// advances its names together), each merged with the `--set` values. A `--set` of a swept name pins that axis to the
/// points with that value.
/// </summary>
public static class SweepPlan
{
    public static IReadOnlyList<SweepCell> Expand(
        IReadOnlyList<SweepAxis> axes, IReadOnlyDictionary<string, double> overrides, IReadOnlyList<ParameterDeclaration> parameters)
    {
        var free = axes.Select(axis => PinnedBy(axis, overrides)).Where(axis => axis.Points.Count > 0).ToArray();
        var cells = new List<SweepCell>();
        var indices = new int[free.Length];
        while (true)
        {
            var values = new Dictionary<string, double>(overrides, StringComparer.Ordinal);
            var label = new List<string>();
            for (var i = 0; i < free.Length; i++)
            {
                var point = free[i].Points[indices[i]];
                for (var n = 0; n < free[i].Names.Count; n++)
                {
                    values[free[i].Names[n]] = point[n];
                    label.Add(free[i].Names[n] + "=" + Format(free[i].Names[n], point[n], parameters));
                }
            }

            cells.Add(new SweepCell(values, IdOf(values, parameters), string.Join(",", label)));
            if (!Advance(indices, free))
            {
                return cells;
            }
        }
    }

    /// <summary>
    /// The axis without the names `--set` gives: a one-name axis disappears; a tuple axis keeps the points that agree with
    /// the given values, over its other names (when no point agrees, the other names keep their defaults).
    /// </summary>
    private static SweepAxis PinnedBy(SweepAxis axis, IReadOnlyDictionary<string, double> overrides)
    {
        var pinned = axis.Names.Select((name, i) => (name, i)).Where(p => overrides.ContainsKey(p.name)).ToArray();
        if (pinned.Length == 0)
        {
            return axis;
        }

        var keep = axis.Names.Select((name, i) => (name, i)).Where(p => !overrides.ContainsKey(p.name)).ToArray();
        var points = axis.Points
            .Where(point => pinned.All(p => point[p.i] == overrides[p.name]))
            .Select(point => (IReadOnlyList<double>)keep.Select(p => point[p.i]).ToArray())
            .Distinct(PointComparer.Instance)
            .ToArray();
        return new SweepAxis(keep.Select(p => p.name).ToArray(), keep.Length == 0 ? [] : points);
    }

    private static bool Advance(int[] indices, SweepAxis[] axes)
    {
        for (var i = axes.Length - 1; i >= 0; i--)
        {
            if (++indices[i] < axes[i].Points.Count)
            {
                return true;
            }

            indices[i] = 0;
        }

        return false;
    }

    /// <summary>A short hash of the cell's values (sorted by name), so a cell keeps its folder name when axes are reordered.</summary>
    private static string IdOf(IReadOnlyDictionary<string, double> values, IReadOnlyList<ParameterDeclaration> parameters)
    {
        var canonical = string.Join(";", values.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Key + "=" + Format(pair.Key, pair.Value, parameters)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..10];
    }

    /// <summary>A value as a person writes it (a choice parameter's word, else the number).</summary>
    public static string Format(string name, double value, IReadOnlyList<ParameterDeclaration> parameters) =>
        (parameters.FirstOrDefault(p => p.Name == name) ?? new ParameterDeclaration(name, ParameterType.Real, null, "")).Format(value);

    private sealed class PointComparer : IEqualityComparer<IReadOnlyList<double>>
    {
        public static readonly PointComparer Instance = new();

        public bool Equals(IReadOnlyList<double>? x, IReadOnlyList<double>? y) => x is not null && y is not null && x.SequenceEqual(y);

        public int GetHashCode(IReadOnlyList<double> obj) => obj.Aggregate(17, (hash, v) => (hash * 31) + v.GetHashCode());
    }
}
