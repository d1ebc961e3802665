using System.Globalization;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Pays the figures' one-off costs (JIT of ScottPlot, SkiaSharp and this renderer, Skia's native start-up, font loading)
/// ahead of time. `cond run` calls it on a background thread while training keeps the main thread busy: training is
/// single-threaded, so the second core is otherwise idle, and the real figures at the end then render warm.
/// </summary>
public static class FigureWarmUp
{
    /// <summary>
    /// Writes a tiny synthetic run folder (with <paramref name="snapshots"/>, every kind of figure: features, cosine with colour
    /// bar, clusters, log-scale loss; without, the curves)
    /// into <paramref name="directory"/> with the real writers and draws its figures one after another on the calling
    /// thread (not in parallel: the point is to use one idle core, not to compete with training for the busy one).
    /// </summary>
    /// <param name="snapshots">
    /// False writes no snapshot arrays and draws only the curves: for a caller that draws the run's own snapshots as they
    /// come (<see cref="LiveFigures"/>), whose first ones pay those costs anyway, and the small multiples with them (their
    /// panels are drawn with the snapshots; the figure only places them). Synthetic snapshots would only take the idle core
    /// from the real ones.
    /// </param>
    public static IReadOnlyList<FigureFile> Render(string directory, bool snapshots = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        WriteSyntheticRun(directory, snapshots);
        return FigureRenderer.RenderAll(directory, parallel: false);
    }

    private static void WriteSyntheticRun(string directory, bool snapshots)
    {
        const int m = 8;
        const string layer = "h";
        long[] steps = [0, 10];
        using var run = RunFolder.At(directory, "warm-up");
        run.Start(new RunInfo("warm-up", "warm-up", 1, new Dictionary<string, double>()));

        // What the report page reads besides the figures (source, model, expectations), so that its code is warm too.
        run.WriteSource("experiment warm_up \"warm-up\"\nlet m = 8\nmodel net { input 1\n  dense h(m, relu)\n  init normal(std: m^-2) }\nexpect loss at end < 1e-3 # warm\n");
        // Written as described, not from a ModelSpec: working out an activation's multiplicity is costly and the run's own
        // model.json pays it anyway.
        ModelFile.Write(directory, new ModelDescription("net", 1, [new LayerDescription(layer, "dense", m, "relu", true, null, null)]));
        // One series per panel is enough to warm the curve code.
        run.BeginMetrics(["loss", $"clusters.{layer}"]);
        for (long step = 0; step <= steps[^1]; step += 5)
        {
            run.AppendMetrics(step, step, [Math.Exp(-step), 1 + (step / 10)]);
        }

        foreach (var step in snapshots ? steps : [])
        {
            var w = new double[m * 2];
            var features = new double[m * 3];
            for (var k = 0; k < m; k++)
            {
                var theta = (2 * Math.PI * k / m) - Math.PI + (0.1 * step);
                w[2 * k] = (1 + k) * Math.Cos(theta);
                w[(2 * k) + 1] = (1 + k) * Math.Sin(theta);
                features[3 * k] = theta;
                features[(3 * k) + 1] = 1 + k;
                features[(3 * k) + 2] = k < 2 ? 1 : 0;
            }

            var cosine = new double[m * m];
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < m; j++)
                {
                    var dot = (w[2 * i] * w[2 * j]) + (w[(2 * i) + 1] * w[(2 * j) + 1]);
                    cosine[(i * m) + j] = dot / ((1 + i) * (1 + j));
                }
            }

            var name = $"{layer}.step{step.ToString("D7", CultureInfo.InvariantCulture)}";
            run.WriteArray($"weights.{name}", [m, 2], w);
            run.WriteArray($"features.{name}", [m, 3], features);
            run.WriteArray($"cosine.{name}", [m, m], cosine);
        }

        run.Complete();

        // Checked as a run's are (its metrics read back), so the run's end finds that code compiled too.
        var expectation = new Expectation("loss", null, ComparisonOperator.Less, 1e-3, "expect loss at end < 1e-3", 6);
        var metrics = MetricsTable.Read(Path.Combine(directory, RunFolder.MetricsFileName));
        Report.ExpectationsFile.Write(directory, ExpectationEvaluator.Evaluate([expectation], metrics, Report.ReductionFile.Read(directory), Report.EmbeddingFile.Read(directory)));
    }
}
