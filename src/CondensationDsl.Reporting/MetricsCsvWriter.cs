using System.Globalization;
using System.Text;

namespace CondensationDsl.Reporting;

/// <summary>
/// Appends rows to metrics.csv. Each row is encoded first and written with one call, then flushed to the operating system,
/// so a crash or Ctrl-C leaves only complete rows (the OS keeps flushed data when the process dies).
/// </summary>
internal sealed class MetricsCsvWriter : IDisposable
{
    public const string StepColumn = "step";
    public const string EpochColumn = "epoch";

    private readonly FileStream stream;
    private readonly int columnCount;

    public MetricsCsvWriter(string path, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var seen = new HashSet<string>(StringComparer.Ordinal) { StepColumn, EpochColumn };
        foreach (var column in columns)
        {
            if (string.IsNullOrEmpty(column) || column.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                throw new ArgumentException($"Metrics column name '{column}' is empty or holds a comma, quote or line break.", nameof(columns));
            }

            if (!seen.Add(column))
            {
                throw new ArgumentException($"Metrics column '{column}' is declared twice (or clashes with step/epoch).", nameof(columns));
            }
        }

        columnCount = columns.Count;
        // Unbuffered (bufferSize 0): each row reaches the OS in exactly one write call.
        stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        WriteLine(string.Join(',', new[] { StepColumn, EpochColumn }.Concat(columns)));
    }

    public void Append(long step, double epoch, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != columnCount)
        {
            throw new ArgumentException($"A metrics row has {values.Count} values; {columnCount} columns were declared.", nameof(values));
        }

        var line = new StringBuilder();
        line.Append(step.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Format(epoch));
        foreach (var value in values)
        {
            line.Append(',').Append(Format(value));
        }

        WriteLine(line.ToString());
    }

    /// <summary>Invariant and round-trippable; NaN ("not measured at this step") is an empty cell.</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? string.Empty : value.ToString("R", CultureInfo.InvariantCulture);

    public void Dispose() => stream.Dispose();

    private void WriteLine(string text)
    {
        stream.Write(Encoding.UTF8.GetBytes(text + "\n"));
        stream.Flush();
    }
}
