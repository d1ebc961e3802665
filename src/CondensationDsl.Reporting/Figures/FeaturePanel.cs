using ScottPlot;

namespace CondensationDsl.Reporting.Figures;

/// <summary>One θ–A scatter: every neuron of a layer at one snapshot, static ones grey, optionally with their paths so far.</summary>
internal static class FeaturePanel
{
    private const float MarkerSize = 7;

    /// <summary>
    /// The panel of snapshot <paramref name="index"/>; with <paramref name="trajectories"/>, each neuron's path through the
    /// snapshots 0..index as a thin line (matched by row: row k is neuron k in every snapshot).
    /// </summary>
    /// <param name="title">Panel title for small multiples; null for a one-panel figure, which gets a legend instead.</param>
    public static Plot Build(IReadOnlyList<FeatureSnapshot> snapshots, int index, FigureOptions options, string? title)
    {
        var log = options.LogAmplitude;
        var snapshot = snapshots[index];
        var plot = FigureStyle.NewPlot(null, "orientation θ (rad)", log ? "amplitude A (log scale)" : "amplitude A");
        var low = double.PositiveInfinity;
        var high = double.NegativeInfinity;

        void Extend(double y)
        {
            if (double.IsFinite(y))
            {
                low = Math.Min(low, y);
                high = Math.Max(high, y);
            }
        }

        if (options.Trajectories && index > 0)
        {
            foreach (var k in Enumerable.Range(0, snapshot.Count))
            {
                foreach (var segment in Path(snapshots, index, k, log))
                {
                    var line = plot.Add.ScatterLine(segment.X, segment.Y, (snapshot.Static[k] ? FigureStyle.Static : FigureStyle.Active).WithAlpha(0.3));
                    line.LineWidth = 1;
                    line.MarkerSize = 0;
                    foreach (var y in segment.Y)
                    {
                        Extend(y);
                    }
                }
            }
        }

        AddMarkers(plot, snapshot, log, wantStatic: true, FigureStyle.Static, "static", Extend);
        AddMarkers(plot, snapshot, log, wantStatic: false, FigureStyle.Active, "active", Extend);

        FigureStyle.RadianTicks(plot.Axes.Bottom);
        plot.Axes.SetLimitsX(-Math.PI - 0.15, Math.PI + 0.15);
        if (!double.IsFinite(low))
        {
            (low, high) = log ? (-1, 1) : (0, 1);
        }

        if (log)
        {
            var pad = Math.Max(0.25, 0.06 * (high - low));
            plot.Axes.SetLimitsY(low - pad, high + pad);
            LogAxis.Apply(plot.Axes.Left, low - pad, high + pad);
        }
        else
        {
            // Amplitudes are ≥ 0: start at 0 so heights compare across neurons.
            plot.Axes.SetLimitsY(0, high > 0 ? high * 1.08 : 1);
            FigureStyle.NumericTicks(plot.Axes.Left);
        }

        if (title is null)
        {
            plot.ShowLegend(Alignment.UpperLeft);
        }
        else
        {
            // In small multiples a legend would cover data in some panel; the counts go in the title, the key in the header.
            plot.HideLegend();
            plot.Title($"{title} · {snapshot.StaticCount} of {snapshot.Count} static", FigureStyle.PanelTitleFontSize);
        }

        return plot;
    }

    private static void AddMarkers(Plot plot, FeatureSnapshot snapshot, bool log, bool wantStatic, Color color, string label, Action<double> extend)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var k = 0; k < snapshot.Count; k++)
        {
            var y = snapshot.Y(k, log);
            if (snapshot.Static[k] == wantStatic && double.IsFinite(y) && double.IsFinite(snapshot.Theta[k]))
            {
                xs.Add(snapshot.Theta[k]);
                ys.Add(y);
                extend(y);
            }
        }

        if (xs.Count > 0)
        {
            var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, MarkerSize, color);
            markers.LegendText = $"{label} ({xs.Count})";
        }
    }

    /// <summary>
    /// Neuron k's path over snapshots 0..last, cut where θ wraps across ±π (a jump of more than π is the short way round,
    /// not a sweep across the panel) and where a point cannot be shown.
    /// </summary>
    private static IEnumerable<(double[] X, double[] Y)> Path(IReadOnlyList<FeatureSnapshot> snapshots, int last, int k, bool log)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var s = 0; s <= last; s++)
        {
            var snapshot = snapshots[s];
            var x = k < snapshot.Count ? snapshot.Theta[k] : double.NaN;
            var y = k < snapshot.Count ? snapshot.Y(k, log) : double.NaN;
            var broken = !double.IsFinite(x) || !double.IsFinite(y) || (xs.Count > 0 && Math.Abs(x - xs[^1]) > Math.PI);
            if (broken)
            {
                if (xs.Count > 1)
                {
                    yield return (xs.ToArray(), ys.ToArray());
                }

                xs.Clear();
                ys.Clear();
            }

            if (double.IsFinite(x) && double.IsFinite(y))
            {
                xs.Add(x);
                ys.Add(y);
            }
        }

        if (xs.Count > 1)
        {
            yield return (xs.ToArray(), ys.ToArray());
        }
    }
}
