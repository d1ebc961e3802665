using System.Globalization;
using System.Runtime.CompilerServices;

namespace CondensationDsl.Reporting;

/// <summary>metrics.csv read back: the header's columns (step and epoch first) and one array of values per row, NaN for an empty cell.</summary>
public sealed class MetricsTable
{
    private readonly Dictionary<string, int> index;

    public MetricsTable(IReadOnlyList<string> columns, IReadOnlyList<double[]> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        Columns = columns;
        Rows = rows;
        index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            index.TryAdd(columns[i], i);
        }
    }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<double[]> Rows { get; }

    /// <summary>Reads a metrics.csv file. A last line without its newline is the trace of a crash mid-write and is skipped.</summary>
    public static MetricsTable Read(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses metrics.csv text; <paramref name="source"/> names it in error messages.</summary>
    /// <remarks>
    /// Optimized from the first call: a run's end reads a table of thousands of rows, and an unoptimized loop would be
    /// compiled again, optimized, in the middle of it (the warm-up's small table pays this compilation instead).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static MetricsTable Parse(string text, string source = "metrics.csv")
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');

        // Split leaves "" after a final newline; anything else there is an incomplete row.
        var complete = lines.Length - 1;
        if (complete < 1)
        {
            throw new FormatException($"{source}: no header line.");
        }

        var columns = lines[0].TrimEnd('\r').Split(',');
        var rows = new List<double[]>(complete - 1);
        for (var i = 1; i < complete; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',');
            if (cells.Length != columns.Length)
            {
                throw new FormatException($"{source}:{i + 1}: {cells.Length} cells, the header has {columns.Length}.");
            }

            var row = new double[cells.Length];
            for (var c = 0; c < cells.Length; c++)
            {
                if (cells[c].Length == 0)
                {
                    row[c] = double.NaN;
                }
                else if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]))
                {
                    throw new FormatException($"{source}:{i + 1}: '{cells[c]}' in column {columns[c]} is not a number.");
                }
            }

            rows.Add(row);
        }

        return new MetricsTable(columns, rows);
    }

    /// <summary>The position of <paramref name="column"/>, or −1.</summary>
    public int IndexOf(string column) => index.TryGetValue(column, out var i) ? i : -1;

    /// <summary>The values of one column in row order (NaN where not measured).</summary>
    public double[] Column(string column)
    {
        var i = IndexOf(column);
        if (i < 0)
        {
            throw new KeyNotFoundException($"metrics.csv has no column '{column}'.");
        }

        return Rows.Select(row => row[i]).ToArray();
    }
}
