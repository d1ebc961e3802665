using ScottPlot;
using CondensationDsl.Analysis;
using CondensationDsl.Reporting.Sweep;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Figure 5: S_w of each (γ, γ′) point as a coloured tile, γ′ across and γ up, the theoretical boundary as a thick black
/// line over it. The colour scale is fixed to [−1, 1] on the diverging map of the cosine heatmaps (values beyond are
/// clipped), so white is S_w = 0 on every sweep, blue linear, red condensed; autoscaling would paint a sweep whose slopes
/// are all negative from blue to red and move the boundary.
/// </summary>
/// <remarks>
/// Each point is a rectangle centred on its coordinates reaching halfway to the neighbouring γ′ and γ values of the sweep
/// (a lone value gets ±0.5), rather than a ScottPlot heatmap: a phase-diagram sweep need not be a full grid (`(gamma,
/// gamma_prime) in [...]` tuples), and a heatmap would paint missing points as some colour. A (γ′, γ) pair the sweep did
/// not run is left blank (no outline, no number). Points without a slope are grey; points with cells that did not
/// complete carry a "×" (their slope, if any, rests on the completed cells only).
/// </remarks>
internal static class PhaseDiagramFigure
{
    public const string FileStem = "phase_diagram";

    public const string XLabel = "γ′ = −log(β₁/β₂)/log m";
    public const string YLabel = "γ = −log(β₁β₂/α)/log m";

    /// <summary>No slope: the grey of static neurons, a colour the diverging map never takes.</summary>
    private static readonly Color NoSlope = FigureStyle.Static;

    /// <summary>Writes figures/phase_diagram.png and .svg in <paramref name="sweepDirectory"/>; returns the PNG's path.</summary>
    public static string Write(string sweepDirectory, string experiment, string layer, IReadOnlyList<PhaseDiagramTable.Group> groups)
    {
        using var plot = Build(layer, groups);
        return SweepFigureFiles.Save(sweepDirectory, FileStem, FigureLayout.PhaseDiagram,
            $"{experiment} — phase diagram, slope S_w of RelDis({layer}) against width", plot);
    }

    internal static Plot Build(string layer, IReadOnlyList<PhaseDiagramTable.Group> groups)
    {
        var plot = FigureStyle.NewPlot(null, XLabel, YLabel);
        FigureStyle.NumericTicks(plot.Axes.Bottom);
        FigureStyle.NumericTicks(plot.Axes.Left);
        var drawn = groups.Where(g => double.IsFinite(g.Gamma) && double.IsFinite(g.GammaPrime)).ToArray();
        var xs = Edges(drawn.Select(g => g.GammaPrime));
        var ys = Edges(drawn.Select(g => g.Gamma));
        bool noSlopeInLegend = false, failedInLegend = false;
        foreach (var group in drawn)
        {
            var (left, right) = xs[group.GammaPrime];
            var (bottom, top) = ys[group.Gamma];
            var slope = group.Fit.Slope;
            var hasSlope = double.IsFinite(slope);
            var tile = plot.Add.Rectangle(left, right, bottom, top);
            tile.FillColor = hasSlope ? CosineHeatmap.Colormap.GetColor(Normalized(slope)) : NoSlope;
            tile.LineColor = Colors.Black.WithAlpha(0.25);
            tile.LineWidth = 1;
            if (!hasSlope && !noSlopeInLegend)
            {
                tile.LegendText = "no slope (fewer than two widths with a usable RelDis)";
                noSlopeInLegend = true;
            }

            var label = plot.Add.Text(SlopeText(slope), (left + right) / 2, (bottom + top) / 2);
            label.Alignment = Alignment.MiddleCenter;
            label.LabelStyle.FontSize = FigureStyle.LegendFontSize;
            label.LabelStyle.Bold = true;
            // Dark ends of the map: white text stays readable there.
            label.LabelStyle.ForeColor = hasSlope && Math.Abs(slope) > 0.6 ? Colors.White : Colors.Black;

            if (group.CellsNotCompleted > 0)
            {
                var cross = plot.Add.Marker(left + (0.8 * (right - left)), bottom + (0.8 * (top - bottom)), MarkerShape.Eks, 16, Colors.Black);
                cross.MarkerLineWidth = 3;
                if (!failedInLegend)
                {
                    cross.LegendText = "cells not completed (left out of the fit)";
                    failedInLegend = true;
                }
            }
        }

        var (xMin, xMax) = drawn.Length == 0 ? (-1.0, 1.0) : (xs.Values.Min(e => e.Low), xs.Values.Max(e => e.High));
        var (yMin, yMax) = drawn.Length == 0 ? (0.0, 2.0) : (ys.Values.Min(e => e.Low), ys.Values.Max(e => e.High));
        var boundaryInLegend = false;
        foreach (var segment in PhaseDiagram.CriticalLine(xMin, xMax, yMin, yMax))
        {
            var line = plot.Add.Line(segment.GammaPrime0, segment.Gamma0, segment.GammaPrime1, segment.Gamma1);
            line.LineWidth = 5;
            line.LineColor = Colors.Black;
            if (!boundaryInLegend)
            {
                line.LegendText = "theoretical boundary (γ = 1 for γ′ ≤ 0, γ = γ′ + 1 for γ′ ≥ 0)";
                boundaryInLegend = true;
            }
        }

        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        var bar = plot.Add.ColorBar(new FixedColorAxis(CosineHeatmap.Colormap, CosineHeatmap.ColorRange));
        bar.Label = $"S_w = d log RelDis({layer}) / d log m, colour clipped to [−1, 1]";
        bar.LabelStyle.FontSize = FigureStyle.AxisLabelFontSize;
        bar.Axis.TickLabelStyle.FontSize = FigureStyle.TickLabelFontSize;
        FigureStyle.UnitRangeTicks(bar.Axis);
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    /// <summary>Two decimals, a true minus sign, "0.00" rather than "−0.00"; "n/a" without a slope.</summary>
    internal static string SlopeText(double slope)
    {
        if (!double.IsFinite(slope))
        {
            return "n/a";
        }

        var text = slope.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        return text == "-0.00" ? "0.00" : text.Replace('-', '−');
    }

    /// <summary>The slope's place on the colour map: clipped to the fixed range, then mapped to [0, 1].</summary>
    private static double Normalized(double slope)
    {
        var range = CosineHeatmap.ColorRange;
        return (Math.Clamp(slope, range.Min, range.Max) - range.Min) / (range.Max - range.Min);
    }

    /// <summary>Each distinct value's tile edges: halfway to its neighbours; the outer edges mirror the inner half-step.</summary>
    private static Dictionary<double, (double Low, double High)> Edges(IEnumerable<double> values)
    {
        var sorted = values.Distinct().Order().ToArray();
        var edges = new Dictionary<double, (double, double)>();
        for (var i = 0; i < sorted.Length; i++)
        {
            var below = i > 0 ? (sorted[i] - sorted[i - 1]) / 2 : double.NaN;
            var above = i < sorted.Length - 1 ? (sorted[i + 1] - sorted[i]) / 2 : double.NaN;
            var lowHalf = double.IsNaN(below) ? (double.IsNaN(above) ? 0.5 : above) : below;
            var highHalf = double.IsNaN(above) ? lowHalf : above;
            edges[sorted[i]] = (sorted[i] - lowHalf, sorted[i] + highHalf);
        }

        return edges;
    }
}
