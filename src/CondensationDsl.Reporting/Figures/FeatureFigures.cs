using System.Globalization;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Figure 1's picture (SCIENCE.md §3 row 1): θ against A for every neuron, per layer as small multiples (one panel per
/// snapshot) and one file per snapshot.
/// </summary>
internal static class FeatureFigures
{
    public static IEnumerable<FigureJob> Jobs(RunFiles run, FigureOptions options)
    {
        foreach (var layer in run.ByLayer("features"))
        {
            var snapshots = layer.Select(FeatureSnapshot.From).OfType<FeatureSnapshot>().ToArray();
            if (snapshots.Length == 0)
            {
                continue;
            }

            var name = layer.Key;
            var style = Describe(options);
            var whens = snapshots.Select(s => run.WhenLabel(s.Step)).ToArray();
            var m = snapshots[^1].Count;
            yield return new FigureJob(
                FigureJob.FileStem($"features-{name}"),
                "features",
                $"Orientation θ against amplitude A of the {m} neurons of layer {name} at {snapshots.Length} snapshots "
                + $"({string.Join(", ", whens)}){style}: condensation shows as neurons gathering on a few orientations.",
                (png, svg) => RenderGrid(run, name, snapshots, whens, options, png, svg));

            for (var i = 0; i < snapshots.Length; i++)
            {
                var index = i;
                var snapshot = snapshots[i];
                yield return new FigureJob(
                    FigureJob.FileStem($"features-{name}-step{snapshot.Step.ToString("D7", CultureInfo.InvariantCulture)}"),
                    "features-snapshot",
                    $"Orientation θ against amplitude A of layer {name} at {whens[i]}: {snapshot.Count - snapshot.StaticCount} active "
                    + $"neurons, {snapshot.StaticCount} static{style}.",
                    (png, svg) =>
                    {
                        RenderOne(run, name, snapshots, index, whens[index], options, png, svg);
                        DrawGridPanelAhead(run, name, snapshots, index, whens[index], options);
                    })
                {
                    Step = snapshot.Step,
                };
            }
        }
    }

    private static string Describe(FigureOptions options) =>
        " (static neurons grey, active blue"
        + (options.Trajectories ? "; thin lines: each neuron's path through the earlier snapshots" : string.Empty)
        + (options.LogAmplitude ? "; A on a log scale" : string.Empty)
        + ")";

    private static void RenderGrid(RunFiles run, string layer, FeatureSnapshot[] snapshots, string[] whens, FigureOptions options, string png, string svg)
    {
        var size = FigureLayout.GridSize(snapshots.Length);
        var panels = new List<PlacedPanel>();
        for (var i = 0; i < snapshots.Length; i++)
        {
            var cell = FigureLayout.GridCell(snapshots.Length, i);
            panels.Add(new PlacedPanel(GridPanel(run, layer, snapshots, i, whens[i], options), (int)cell.Left, (int)cell.Top));
        }

        FigureCanvas.Save(png, svg, (int)size.Width, (int)size.Height, $"{run.Experiment} — features of layer {layer} (grey: static, blue: active)", panels);
    }

    /// <summary>
    /// The snapshot's panel of the small multiples, drawn with the snapshot's own figure: while the run trains, its end is
    /// then left with only the last panel. Only a head start: a panel that fails here is drawn again, and its failure
    /// reported, by the small multiples' figure, so it does not fail this one.
    /// </summary>
    private static void DrawGridPanelAhead(RunFiles run, string layer, FeatureSnapshot[] snapshots, int index, string when, FigureOptions options)
    {
        try
        {
            GridPanel(run, layer, snapshots, index, when, options);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // See above: the small multiples' figure tries again.
        }
    }

    /// <summary>
    /// Snapshot <paramref name="index"/>'s panel of the small multiples. It shows that snapshot and the earlier ones only,
    /// and its size does not depend on how many panels the figure gets, so it is drawn once, whenever it is first wanted.
    /// </summary>
    private static PanelDrawing GridPanel(RunFiles run, string layer, FeatureSnapshot[] snapshots, int index, string when, FigureOptions options) =>
        run.Panels.GetOrDraw(
            $"features-grid/{layer}/{snapshots[index].Step.ToString(CultureInfo.InvariantCulture)}",
            FigureLayout.CellWidth,
            FigureLayout.CellHeight,
            keepPixels: false,
            () => FeaturePanel.Build(snapshots, index, options, when));

    private static void RenderOne(RunFiles run, string layer, FeatureSnapshot[] snapshots, int index, string when, FigureOptions options, string png, string svg)
    {
        var size = FigureLayout.Single;
        using var plot = FeaturePanel.Build(snapshots, index, options, title: null);
        FigureCanvas.Save(png, svg, (int)size.Width, (int)size.Height, $"{run.Experiment} — features of layer {layer}, {when}",
            [new Panel(plot, FigureLayout.Body(size))]);
    }
}
