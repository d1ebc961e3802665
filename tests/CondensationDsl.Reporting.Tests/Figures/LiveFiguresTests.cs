using System.Globalization;
using CondensationDsl.Reporting.Figures;

namespace CondensationDsl.Reporting.Tests.Figures;

/// <summary>
/// Per-snapshot figures drawn while a run trains (<see cref="LiveFigures"/>) must be the files the finished folder gives
/// `cond report`, drawn only from complete observations, and not drawn twice.
/// </summary>
public class LiveFiguresTests
{
    private const int M = 12;

    [Fact]
    public void Figures_drawn_during_the_run_are_those_drawn_from_the_finished_folder()
    {
        using var temp = new TempDirectory();
        var runDir = Path.Combine(temp.Path, "run");
        var live = new LiveFigures(runDir);
        var drawnLive = LiveRun(runDir, live, steps: [0, 10, 20], drawAfterEachRow: true);
        var figures = FigureRenderer.RenderAll(runDir, null, live);

        // Features and cosine of each of the 3 snapshots were drawn live; the small multiples and curves at the end.
        Assert.Equal(6, drawnLive);
        var reportDir = Path.Combine(temp.Path, "report");
        CopyWithoutFigures(runDir, reportDir);
        var rebuilt = FigureRenderer.RenderAll(reportDir);

        Assert.Equal(figures.Select(f => (f.Name, f.Kind, f.Caption)), rebuilt.Select(f => (f.Name, f.Kind, f.Caption)));
        Assert.All(figures.Zip(rebuilt), pair =>
            Assert.True(File.ReadAllBytes(pair.First.PngPath).SequenceEqual(File.ReadAllBytes(pair.Second.PngPath)), $"{pair.First.Name}.png differs"));
        Assert.Contains("epoch 20", figures.Single(f => f.Name == "features-h-step0000020").Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_is_drawn_only_once_its_metrics_row_is_written()
    {
        using var temp = new TempDirectory();
        var runDir = Path.Combine(temp.Path, "run");
        var live = new LiveFigures(runDir);
        using var run = StartRun(runDir);
        WriteObservation(run, live, 0, withRow: true);
        WriteObservation(run, live, 10, withRow: false); // arrays written, row not yet: its epoch label is unknown

        var drawn = new List<string>();
        while (live.DrawNext())
        {
        }

        drawn.AddRange(Directory.EnumerateFiles(Path.Combine(runDir, "figures"), "*.png").Select(Path.GetFileNameWithoutExtension)!);
        Assert.Equal(["cosine-h-step0000000", "features-h-step0000000"], drawn.Order(StringComparer.Ordinal));

        Assert.True(live.RowWritten(10, 10)); // the row closes the observation, which brought arrays: there is something to draw
        Assert.True(live.DrawNext());
        Assert.False(live.RowWritten(11, 11)); // a row without arrays (e.g. loss only)
    }

    [Fact]
    public void The_final_pass_keeps_what_was_drawn_live_and_draws_the_rest()
    {
        using var temp = new TempDirectory();
        var runDir = Path.Combine(temp.Path, "run");
        var live = new LiveFigures(runDir);
        LiveRun(runDir, live, steps: [0, 10], drawAfterEachRow: true);
        var liveFigure = Path.Combine(runDir, "figures", "cosine-h-step0000010.png");
        File.WriteAllBytes(liveFigure, [1, 2, 3]); // a marker: redrawing would replace it

        var figures = FigureRenderer.RenderAll(runDir, null, live);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(liveFigure));
        Assert.All(figures.Where(f => f.PngPath != liveFigure), f => Assert.True(new FileInfo(f.PngPath).Length > 1000, f.Name));
        Assert.Contains(figures, f => f.Kind == "loss");
        Assert.False(live.DrawNext()); // closed by the final pass

        // Without the live figures, everything is drawn again.
        FigureRenderer.RenderAll(runDir);
        Assert.True(new FileInfo(liveFigure).Length > 1000);
    }

    [Fact]
    public void Snapshots_not_drawn_live_are_drawn_at_the_end()
    {
        using var temp = new TempDirectory();
        var runDir = Path.Combine(temp.Path, "run");
        var live = new LiveFigures(runDir);
        Assert.Equal(0, LiveRun(runDir, live, steps: [0, 10], drawAfterEachRow: false));

        var figures = FigureRenderer.RenderAll(runDir, null, live);

        Assert.All(figures, f => Assert.True(File.Exists(f.PngPath) && File.Exists(f.SvgPath), f.Name));
        Assert.Equal(4, figures.Count(f => f.Name.Contains("-step", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_small_multiples_panels_of_earlier_snapshots_are_drawn_with_the_snapshots()
    {
        using var temp = new TempDirectory();
        var runDir = Path.Combine(temp.Path, "run");
        var live = new LiveFigures(runDir);
        LiveRun(runDir, live, steps: [0, 10, 20], drawAfterEachRow: true);

        // Each snapshot's panel of the small multiples, and the initial heatmap shared by the later pairs, are ready
        // before the run ends: the final pass only places them.
        var panels = live.PanelsFor(new FigureOptions())!;
        Assert.Equal(
            ["cosine/h/0/685x704", "features-grid/h/0", "features-grid/h/10", "features-grid/h/20"],
            panels.Keys.Order(StringComparer.Ordinal));
        Assert.Null(live.PanelsFor(new FigureOptions { LogAmplitude = true })); // drawn otherwise: not these panels

        var grid = FigureRenderer.RenderAll(runDir, null, live).Single(f => f.Name == "features-h");
        Assert.Equal((3 * FigureLayout.CellWidth, FigureCanvas.HeaderHeight + FigureLayout.CellHeight), ImageFiles.PngSize(grid.PngPath));
    }

    [Fact]
    public void After_a_restart_the_figures_show_the_new_attempt_only()
    {
        using var temp = new TempDirectory();
        var runDir = Path.Combine(temp.Path, "run");
        var live = new LiveFigures(runDir);
        using (var run = StartRun(runDir))
        {
            // The first attempt's snapshots are drawn live, panels included; the run then diverges and starts again,
            // writing other values at the same steps.
            WriteObservation(run, live, 0, withRow: true);
            WriteObservation(run, live, 10, withRow: true);
            while (live.DrawNext())
            {
            }

            run.RestartAfterDivergence(new Runtime.Program.DivergenceRetry(1, 10, double.NaN, 0.1, 0.05));
            live.Restart();
            run.BeginMetrics(["loss", $"clusters.{SyntheticRun.Layer}"]);
            WriteObservation(run, live, 0, withRow: true, turn: 1.0);
            WriteObservation(run, live, 10, withRow: true, turn: 1.0);
            while (live.DrawNext())
            {
            }

            run.Complete();
        }

        var figures = FigureRenderer.RenderAll(runDir, null, live);
        var reportDir = Path.Combine(temp.Path, "report");
        CopyWithoutFigures(runDir, reportDir);
        var rebuilt = FigureRenderer.RenderAll(reportDir);

        Assert.All(figures.Zip(rebuilt), pair =>
            Assert.True(File.ReadAllBytes(pair.First.PngPath).SequenceEqual(File.ReadAllBytes(pair.Second.PngPath)), $"{pair.First.Name}.png differs"));
    }

    /// <summary>Writes a run as the training loop does (each observation's arrays, then its row), handing everything to <paramref name="live"/>.</summary>
    private static int LiveRun(string runDir, LiveFigures live, long[] steps, bool drawAfterEachRow)
    {
        var drawn = 0;
        using (var run = StartRun(runDir))
        {
            foreach (var step in steps)
            {
                WriteObservation(run, live, step, withRow: true);
                while (drawAfterEachRow && live.DrawNext())
                {
                    drawn++;
                }
            }

            run.Complete();
        }

        return drawn;
    }

    private static RunFolder StartRun(string runDir)
    {
        var run = RunFolder.At(runDir, SyntheticRun.Experiment);
        run.Start(new RunInfo("0.1.0-test", "cpu (test)", 1, new Dictionary<string, double>()));
        run.BeginMetrics(["loss", $"clusters.{SyntheticRun.Layer}"]);
        return run;
    }

    /// <param name="turn">Added to every orientation (radians): another attempt's values at the same steps.</param>
    private static void WriteObservation(RunFolder run, LiveFigures live, long step, bool withRow, double turn = 0)
    {
        var w = new double[M * 2];
        var features = new double[M * 3];
        for (var k = 0; k < M; k++)
        {
            var theta = (2 * Math.PI * k / M) - Math.PI + (0.05 * step) + turn;
            w[2 * k] = (1 + k) * Math.Cos(theta);
            w[(2 * k) + 1] = (1 + k) * Math.Sin(theta);
            features[3 * k] = Math.Atan2(w[(2 * k) + 1], w[2 * k]);
            features[(3 * k) + 1] = 1 + k;
            features[(3 * k) + 2] = k < 2 ? 1 : 0;
        }

        var suffix = $"{SyntheticRun.Layer}.step{step.ToString("D7", CultureInfo.InvariantCulture)}";
        void Write(string name, int[] shape, double[] data)
        {
            run.WriteArray(name, shape, data);
            live.ArrayWritten(name, shape, data);
        }

        Write($"weights.{suffix}", [M, 2], w);
        Write($"features.{suffix}", [M, 3], features);
        Write($"cosine.{suffix}", [M, M], SyntheticRun.Cosines(w, M, 2));
        if (withRow)
        {
            run.AppendMetrics(step, step, [Math.Exp(-step / 10.0), 1 + (step / 10)]);
            live.RowWritten(step, step);
        }
    }

    private static void CopyWithoutFigures(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("figures", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
