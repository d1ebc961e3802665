using ScottPlot;
using CondensationDsl.Reporting.Sweep;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Figure 7 (SCIENCE.md §3 row 7, the embedding principle): log10(loss) across from From to To, one horizontal band per
/// width (smallest at the bottom), each bin's brightness the fraction of that width's training epochs spent there. Bright
/// bars at the same loss in several bands are critical points the wider nets inherit from the narrower ones.
/// </summary>
/// <remarks>
/// Colour is log10(frequency) on a dark-to-bright map (Inferno) over the fixed range [log10 <see cref="FrequencyFloor"/>, 0]:
/// bins rarer than the floor (never visited included) are drawn at the floor, so a bin visited once in 10⁴ epochs still
/// shows while the bars where training lingers stand out. The range is fixed, not fitted to the data, so the same colour
/// means the same fraction in every sweep. Each band is normalised by its own epochs (<see cref="LossSpectrumTable"/>); a
/// width without a completed trial is grey.
/// </remarks>
internal static class LossSpectrumFigure
{
    public const string FileStem = "loss_spectrum";

    public const string XLabel = "log10(loss)";

    /// <summary>The smallest frequency the colours tell apart; anything below (zero included) is drawn as this.</summary>
    public const double FrequencyFloor = 1e-4;

    public static IColormap Colormap { get; } = new ScottPlot.Colormaps.Inferno();

    public static ScottPlot.Range ColorRange { get; } = new(Math.Log10(FrequencyFloor), 0);

    public static string ColorBarLabel => "log10(fraction of the width's epochs in the bin), floored at 1e−4 (−4)";

    /// <summary>Writes figures/loss_spectrum.png and .svg in <paramref name="sweepDirectory"/>; returns the PNG's path.</summary>
    public static string Write(string sweepDirectory, string experiment, LossSpectrumSpec spec, IReadOnlyList<LossSpectrumTable.Group> groups)
    {
        using var plot = Build(spec, groups);
        return SweepFigureFiles.Save(sweepDirectory, FileStem, FigureLayout.LossSpectrum,
            $"{experiment} — loss spectrum: fraction of training epochs at each loss, per {spec.By}", plot);
    }

    internal static Plot Build(LossSpectrumSpec spec, IReadOnlyList<LossSpectrumTable.Group> groups)
    {
        var plot = FigureStyle.NewPlot(null, XLabel, "width " + spec.By);
        FigureStyle.NumericTicks(plot.Axes.Bottom);
        var rows = groups.Count;
        if (rows > 0)
        {
            // Row 0 of the intensities is drawn at the top, band [rows − 1, rows): the widest net first, so the narrowest is
            // at the bottom, in band [0, 1) where its label is.
            var intensities = new double[rows, spec.Bins];
            for (var r = 0; r < rows; r++)
            {
                var group = groups[rows - 1 - r];
                var frequencies = group.Spectrum.Frequencies();
                for (var bin = 0; bin < spec.Bins; bin++)
                {
                    intensities[r, bin] = group.Epochs == 0 ? double.NaN : Brightness(frequencies[bin]);
                }
            }

            var heatmap = plot.Add.Heatmap(intensities);
            heatmap.Colormap = Colormap;
            heatmap.ManualRange = ColorRange;
            heatmap.Smooth = false;
            heatmap.NaNCellColor = FigureStyle.Static;
            HeatmapArea.Fill(heatmap, new CoordinateRect(spec.From, spec.To, 0, rows));
        }

        // Categorical widths: band i spans [i, i + 1), labelled at its middle.
        plot.Axes.Left.SetTicks(
            Enumerable.Range(0, rows).Select(i => i + 0.5).ToArray(),
            groups.Select(g => g.Trials == 0 ? g.ByText + " (no trial)" : g.ByText).ToArray());
        plot.Axes.SetLimits(spec.From, spec.To, 0, Math.Max(rows, 1));
        var bar = plot.Add.ColorBar(new FixedColorAxis(Colormap, ColorRange));
        bar.Label = ColorBarLabel;
        bar.LabelStyle.FontSize = FigureStyle.AxisLabelFontSize;
        bar.Axis.TickLabelStyle.FontSize = FigureStyle.TickLabelFontSize;
        // One labelled tick per decade of the fixed range (−4 … 0), no minor ticks: ~20 labels at 0.2 said no more.
        var decades = Enumerable.Range((int)ColorRange.Min, (int)(ColorRange.Max - ColorRange.Min) + 1).Select(d => (double)d).ToArray();
        bar.Axis.SetTicks(decades, decades.Select(d => FigureStyle.Number(d)).ToArray());
        return plot;
    }

    /// <summary>log10 of the frequency, floored at <see cref="FrequencyFloor"/> (a never-visited bin is the floor, not −∞).</summary>
    internal static double Brightness(double frequency) => Math.Log10(Math.Max(frequency, FrequencyFloor));
}
