using CondensationDsl.Reporting.Figures;
using ScottPlot.Plottables;

namespace CondensationDsl.Reporting.Tests.Figures;

public class FeaturePanelTests
{
    private static readonly FeatureSnapshot Early = new(0, [-3.0, -1, 0.5, 3.0], [1e-12, 1e-10, 0, 1e-11], [false, true, false, false]);
    private static readonly FeatureSnapshot Late = new(100, [3.1, -1, 0.6, -3.1], [1e-2, 1e-10, 0.5, 1.0], [false, true, false, false]);

    [Fact]
    public void LogAmplitudePlotsLog10AndDropsZeros()
    {
        using var plot = FeaturePanel.Build([Early, Late], 0, new FigureOptions { LogAmplitude = true }, title: null);

        var markers = plot.GetPlottables<Markers>().ToArray();
        var ys = markers.SelectMany(m => m.Data.GetScatterPoints()).Select(p => p.Y).ToArray();
        Assert.Equal([-12.0, -11, -10], ys.Order(), (a, b) => Math.Abs(a - b) < 1e-9);
        var limits = plot.Axes.GetLimits();
        Assert.InRange(limits.Bottom, -13, -12);
        Assert.InRange(limits.Top, -10, -9);
    }

    [Fact]
    public void LinearAmplitudeStartsAtZero()
    {
        using var plot = FeaturePanel.Build([Early, Late], 1, new FigureOptions(), title: "epoch 100");

        var limits = plot.Axes.GetLimits();
        Assert.Equal(0, limits.Bottom);
        Assert.InRange(limits.Top, 1.0, 1.2);
        Assert.Equal(2, plot.GetPlottables<Markers>().Count());
    }

    [Fact]
    public void StaticNeuronsAreGreyAndActiveOnesColoured()
    {
        using var plot = FeaturePanel.Build([Early, Late], 1, new FigureOptions(), title: null);

        var markers = plot.GetPlottables<Markers>().ToArray();
        var grey = Assert.Single(markers, m => m.MarkerFillColor == FigureStyle.Static);
        var active = Assert.Single(markers, m => m.MarkerFillColor == FigureStyle.Active);
        Assert.Single(grey.Data.GetScatterPoints());
        Assert.Equal(3, active.Data.GetScatterPoints().Count);
    }

    [Fact]
    public void TrajectoriesBreakWhereOrientationWrapsAround()
    {
        using var without = FeaturePanel.Build([Early, Late], 1, new FigureOptions(), title: null);
        using var with = FeaturePanel.Build([Early, Late], 1, new FigureOptions { Trajectories = true }, title: null);

        Assert.Empty(without.GetPlottables<Scatter>());

        // Neuron 0 goes −3.0 → 3.1 and neuron 3 goes 3.0 → −3.1: both wrap across ±π, so only neurons 1 and 2 draw a line
        // (a straight segment across the panel would be a lie: the short way round is through ±π).
        Assert.Equal(2, with.GetPlottables<Scatter>().Count());
    }
}
