using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// ScottPlot 5 has no logarithmic axis: the data are plotted as log10(value) and this labels the ticks with the values
/// (10⁻³, 10⁰, …) and adds log-spaced minor ticks.
/// </summary>
internal static class LogAxis
{
    /// <summary>log10 of each value, NaN where the value is not positive or not finite (so callers can drop it).</summary>
    public static double Log10(double value) => value > 0 && double.IsFinite(value) ? Math.Log10(value) : double.NaN;

    /// <summary>Labels <paramref name="axis"/> for log10 data spanning [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void Apply(IAxis axis, double min, double max)
    {
        // Less than about a decade shows no integer exponent; then fractional exponents are labelled with the plain value.
        var wide = max - min >= 1.5;
        axis.TickGenerator = new NumericAutomatic
        {
            IntegerTicksOnly = wide,
            MinorTickGenerator = wide ? new LogMinorTickGenerator() : new EvenlySpacedMinorTickGenerator(5),
            LabelFormatter = wide ? PowerOfTen : PlainValue,
        };
    }

    /// <summary>"10⁻³" for −3: superscripts read as a power of ten at a glance and DejaVu/most sans fonts have them.</summary>
    public static string PowerOfTen(double exponent)
    {
        var rounded = (long)Math.Round(exponent);
        var digits = Math.Abs(rounded).ToString(CultureInfo.InvariantCulture);
        var superscript = new System.Text.StringBuilder(rounded < 0 ? "⁻" : string.Empty);
        foreach (var c in digits)
        {
            superscript.Append("⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']);
        }

        return "10" + superscript;
    }

    private static string PlainValue(double exponent) => FigureStyle.Number(Math.Pow(10, exponent));
}
