using ScottPlot;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// One look for every figure, sized for a paper page: a 1200 px wide figure shrunk to a column still shows ≥ 14 px text as
/// readable print, so no label is smaller than that.
/// </summary>
internal static class FigureStyle
{
    public const float HeaderFontSize = 24;
    public const float PanelTitleFontSize = 20;
    public const float AxisLabelFontSize = 18;
    public const float TickLabelFontSize = 15;
    public const float LegendFontSize = 15;

    /// <summary>Active neurons: a saturated blue that stays visible when many overlap.</summary>
    public static readonly Color Active = Color.FromHex("#1f5fbf");

    /// <summary>Static neurons (no gradient, never move): grey, drawn under the active ones.</summary>
    public static readonly Color Static = Color.FromHex("#9a9a9a");

    /// <summary>Line colours for several series in one panel (colour-blind-safe Okabe–Ito hues).</summary>
    public static readonly Color[] Series =
    [
        Color.FromHex("#0072B2"), Color.FromHex("#D55E00"), Color.FromHex("#009E73"), Color.FromHex("#CC79A7"),
        Color.FromHex("#E69F00"), Color.FromHex("#56B4E9"),
    ];

    /// <summary>
    /// A sans-serif family that is installed: ScottPlot's own guess (Fonts.Sans) falls back to a serif on Linux machines
    /// without Open Sans or Arial, so the usual Linux and Windows/macOS families are asked for by name first.
    /// </summary>
    public static string FontName { get; } = PickFont("DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans");

    /// <summary>A plot with the shared fonts, its panel title and axis labels.</summary>
    public static Plot NewPlot(string? title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        if (!string.IsNullOrEmpty(title))
        {
            plot.Title(title, PanelTitleFontSize);
        }

        plot.XLabel(xLabel, AxisLabelFontSize);
        plot.YLabel(yLabel, AxisLabelFontSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickLabelFontSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickLabelFontSize;
        plot.Legend.FontSize = LegendFontSize;
        return plot;
    }

    private static string PickFont(params string[] families)
    {
        foreach (var family in families)
        {
            using var typeface = SkiaSharp.SKFontManager.Default.MatchFamily(family);
            if (typeface is not null && string.Equals(typeface.FamilyName, family, StringComparison.OrdinalIgnoreCase))
            {
                return family;
            }
        }

        return Fonts.Sans;
    }

    /// <summary>
    /// Tick labels that stay distinct at any scale: ScottPlot's default rounds 1e-10-sized amplitudes (small initialization)
    /// to "0" on every tick; three significant digits switch to exponent form when needed.
    /// </summary>
    public static void NumericTicks(IAxis axis, bool integers = false)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Number, IntegerTicksOnly = integers };
    }

    /// <summary>Three significant digits, invariant culture, a true minus sign; exact zero (and rounding dust) as "0".</summary>
    public static string Number(double value)
    {
        if (Math.Abs(value) < 1e-300)
        {
            return "0";
        }

        var text = value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
        return text.Replace("E-0", "e−", StringComparison.Ordinal).Replace("E+0", "e", StringComparison.Ordinal)
            .Replace("E-", "e−", StringComparison.Ordinal).Replace("E+", "e", StringComparison.Ordinal).Replace('-', '−');
    }

    /// <summary>
    /// Ticks at every multiple of a round step (1, 2 or 5 × 10^k) from 0 to <paramref name="count"/>, at most ten intervals,
    /// and no minor ticks: for axes that count neurons or channels, where a tick between two cells means nothing (and
    /// ScottPlot's automatic ticks drew ~100 minor tick marks per heatmap axis).
    /// </summary>
    public static void CountTicks(IAxis axis, int count)
    {
        var step = CountTickStep(count);
        var positions = Enumerable.Range(0, (count / step) + 1).Select(i => (double)(i * step)).ToArray();
        axis.SetTicks(positions, positions.Select(p => p.ToString("0", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>The step of <see cref="CountTicks"/>: the first of 1, 2, 5, 10, 20, 50, … that leaves at most ten intervals.</summary>
    internal static int CountTickStep(int count)
    {
        var step = 1;
        for (var k = 0; count > 10 * step; k++)
        {
            step = (k % 3 == 0 ? 2 : k % 3 == 1 ? 5 : 10) * (int)Math.Pow(10, k / 3);
        }

        return step;
    }

    /// <summary>The colour bar of a scale fixed to [−1, 1]: five labelled ticks, with true minus signs.</summary>
    public static void UnitRangeTicks(IAxis axis)
    {
        axis.SetTicks([-1, -0.5, 0, 0.5, 1], ["−1", "−0.5", "0", "0.5", "1"]);
    }

    /// <summary>Axis ticks at −π, −π/2, 0, π/2, π, labelled as such, for orientation axes.</summary>
    public static void RadianTicks(IAxis axis)
    {
        axis.SetTicks([-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI], ["−π", "−π/2", "0", "π/2", "π"]);
    }
}
