using System.Globalization;

namespace CondensationDsl.Reporting.Report;

/// <summary>Number and duration text for the report: invariant culture, short but not misleading.</summary>
internal static class Format
{
    /// <summary>Six significant digits: enough to compare losses by eye; the exact values stay in metrics.csv.</summary>
    public static string Number(double value) => double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "∞"
        : double.IsNegativeInfinity(value) ? "−∞"
        : value.ToString("g6", CultureInfo.InvariantCulture);

    /// <summary>Steps are whole numbers written as doubles in metrics.csv.</summary>
    public static string Step(double step) => step.ToString("0", CultureInfo.InvariantCulture);

    public static string Seconds(double seconds)
    {
        var text = seconds.ToString("0.0##", CultureInfo.InvariantCulture) + " s";
        if (seconds < 60 || !double.IsFinite(seconds))
        {
            return text;
        }

        var span = TimeSpan.FromSeconds(seconds);
        var human = span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min" : $"{span.Minutes} min {span.Seconds:00} s";
        return $"{text} ({human})";
    }
}
