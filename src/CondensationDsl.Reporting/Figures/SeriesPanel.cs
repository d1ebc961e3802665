using ScottPlot;

namespace CondensationDsl.Reporting.Figures;

/// <summary>Metric series against step in one panel, with optional log axes (log10 of the data plus log tick labels).</summary>
internal static class SeriesPanel
{
    /// <param name="counts">
    /// Integer counts: drawn as steps (a count holds until the next observation), integer ticks only, legend at the lower
    /// right (counts grow during training, so that corner is usually empty; a falling loss leaves the upper right empty).
    /// </param>
    /// <param name="rising">Curves that rise during training (accuracy): the legend goes to the lower right, as for counts.</param>
    public static Plot Build(IReadOnlyList<MetricSeries> series, string yLabel, bool logSteps, bool logValues, bool counts, bool rising = false)
    {
        var plot = FigureStyle.NewPlot(null, logSteps ? "step (log scale)" : "step", yLabel);
        var xLow = double.PositiveInfinity;
        var xHigh = double.NegativeInfinity;
        var yLow = double.PositiveInfinity;
        var yHigh = double.NegativeInfinity;
        for (var i = 0; i < series.Count; i++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (var j = 0; j < series[i].Steps.Length; j++)
            {
                // On a log step axis step 0 (the initial state) is dropped rather than offset to step 1: every plotted x
                // then stays a real step, and the initial state is in the first observation after it anyway.
                var x = logSteps ? LogAxis.Log10(series[i].Steps[j]) : series[i].Steps[j];
                var y = logValues ? LogAxis.Log10(series[i].Values[j]) : series[i].Values[j];
                if (double.IsFinite(x) && double.IsFinite(y))
                {
                    xs.Add(x);
                    ys.Add(y);
                }
            }

            if (xs.Count == 0)
            {
                continue;
            }

            // Markers show where observations were, when they are few enough to tell apart.
            var markers = xs.Count <= 30;
            if (counts && !markers)
            {
                // A count holds between observations, so a step curve is drawn exactly by its changes: a run of equal
                // values keeps only its first and last point. Figure 1's 1 001 cluster counts become a few dozen points,
                // which the end of a run (and the SVG) would otherwise pay for point by point.
                (xs, ys) = StepChanges(xs, ys);
            }

            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), FigureStyle.Series[i % FigureStyle.Series.Length]);
            line.LegendText = series[i].Label;
            // Series often coincide (clusters = effective width); decreasing widths over distinct colours keep each visible.
            // Lines stay solid: Skia's SVG writer cannot express dash path effects (it drops them and prints a complaint
            // per path), so dashes would make the SVG differ from the PNG.
            line.LineWidth = Math.Max(1.5f, 4.5f - (1f * i));
            line.MarkerSize = markers ? 7 : 0;
            if (counts)
            {
                line.ConnectStyle = ConnectStyle.StepHorizontal;
            }

            xLow = Math.Min(xLow, xs.Min());
            xHigh = Math.Max(xHigh, xs.Max());
            yLow = Math.Min(yLow, ys.Min());
            yHigh = Math.Max(yHigh, ys.Max());
        }

        if (double.IsFinite(xLow))
        {
            var xPad = Math.Max(xHigh - xLow, logSteps ? 0.5 : 1) * 0.03;
            plot.Axes.SetLimitsX(xLow - xPad, xHigh + xPad);
            var yPad = Math.Max(yHigh - yLow, logValues ? 0.5 : 1) * 0.06;
            plot.Axes.SetLimitsY(logValues ? yLow - yPad : Math.Min(0, yLow - yPad), yHigh + yPad);
            if (logSteps)
            {
                LogAxis.Apply(plot.Axes.Bottom, xLow - xPad, xHigh + xPad);
            }

            if (logValues)
            {
                LogAxis.Apply(plot.Axes.Left, yLow - yPad, yHigh + yPad);
            }
            else
            {
                FigureStyle.NumericTicks(plot.Axes.Left, integers: counts);
            }
        }

        if (series.Count > 1)
        {
            plot.ShowLegend(counts || rising ? Alignment.LowerRight : Alignment.UpperRight);
        }
        else
        {
            plot.HideLegend();
        }

        return plot;
    }

    /// <summary>The points of a step curve where its value changes, with each run's last point (the curve is unchanged).</summary>
    internal static (List<double> Xs, List<double> Ys) StepChanges(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        var keptX = new List<double>();
        var keptY = new List<double>();
        for (var j = 0; j < xs.Count; j++)
        {
            var first = j == 0 || ys[j] != ys[j - 1];
            var last = j == xs.Count - 1 || ys[j] != ys[j + 1];
            if (first || last)
            {
                keptX.Add(xs[j]);
                keptY.Add(ys[j]);
            }
        }

        return (keptX, keptY);
    }
}
