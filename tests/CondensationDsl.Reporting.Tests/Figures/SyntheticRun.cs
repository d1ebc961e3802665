using System.Globalization;

namespace CondensationDsl.Reporting.Tests.Figures;

/// <summary>A small run folder written with the real writers (RunFolder: run.json, metrics.csv, arrays/*.npy).</summary>
internal static class SyntheticRun
{
    public const string Experiment = "synthetic_fig";
    public const string Layer = "h";

    /// <summary>
    /// <paramref name="m"/> neurons of 1-D input, snapshots at <paramref name="steps"/>: they start spread over all
    /// orientations and gather on two directions; neurons 0–3 are static. Metrics every 10 steps from 0 to the last step,
    /// with empty cells for measures not taken at every row.
    /// </summary>
    public static void Write(string directory, int m = 20, long[]? steps = null, bool features = true, bool cosine = true, bool weights = true, bool metrics = true, double amplitudeScale = 1, bool outputCosine = false)
    {
        steps ??= [0, 10, 100];
        using var run = RunFolder.At(directory, Experiment);
        run.Start(new RunInfo("0.1.0-test", "cpu (test)", 1, new Dictionary<string, double> { ["m"] = m }));
        if (metrics)
        {
            run.BeginMetrics(["loss", $"clusters.{Layer}", $"effective_width.{Layer}", $"condensed_width.{Layer}"]);
            for (long step = 0; step <= steps[^1]; step += 10)
            {
                var clustersMeasured = step % 20 == 0;
                var count = step < 50 ? 1 : 2;
                run.AppendMetrics(step, step, [0.5 * Math.Exp(-step / 30.0) + 1e-4, clustersMeasured ? count : double.NaN, clustersMeasured ? count : double.NaN, double.NaN]);
            }
        }

        for (var s = 0; s < steps.Length; s++)
        {
            var progress = (double)s / Math.Max(1, steps.Length - 1);
            var w = new double[m * 2];
            for (var k = 0; k < m; k++)
            {
                var spread = 2 * Math.PI * k / m;
                var target = k % 2 == 0 ? 0.4 : 2.5;
                var theta = ((1 - progress) * (spread - Math.PI)) + (progress * target);
                var norm = amplitudeScale * (1 + k) * Math.Pow(10, -3 * (1 - progress));
                w[2 * k] = norm * Math.Cos(theta);
                w[(2 * k) + 1] = norm * Math.Sin(theta);
            }

            var name = $"{Layer}.step{steps[s].ToString("D7", CultureInfo.InvariantCulture)}";
            if (weights)
            {
                run.WriteArray($"weights.{name}", [m, 2], w);
            }

            if (features)
            {
                var table = new double[m * 3];
                for (var k = 0; k < m; k++)
                {
                    table[3 * k] = Math.Atan2(w[(2 * k) + 1], w[2 * k]);
                    table[(3 * k) + 1] = Math.Sqrt((w[2 * k] * w[2 * k]) + (w[(2 * k) + 1] * w[(2 * k) + 1]));
                    table[(3 * k) + 2] = k < 4 ? 1 : 0;
                }

                run.WriteArray($"features.{name}", [m, 3], table);
            }

            if (cosine)
            {
                run.WriteArray($"cosine.{name}", [m, m], Cosines(w, m, 2));
            }

            if (outputCosine)
            {
                // Any valid cosine matrix will do: that of the weights turned a quarter turn, so it differs from the weights'.
                var turned = Enumerable.Range(0, m * 2).Select(i => i % 2 == 0 ? -w[i + 1] + (0.3 * w[i]) : w[i - 1]).ToArray();
                run.WriteArray($"cosine_outputs.{name}", [m, m], Cosines(turned, m, 2));
            }
        }

        run.Complete();
    }

    /// <summary>The m×m cosine matrix of the rows of <paramref name="vectors"/> (m × dim).</summary>
    public static double[] Cosines(double[] vectors, int m, int dim)
    {
        var result = new double[m * m];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++)
            {
                double dot = 0, ni = 0, nj = 0;
                for (var d = 0; d < dim; d++)
                {
                    dot += vectors[(i * dim) + d] * vectors[(j * dim) + d];
                    ni += vectors[(i * dim) + d] * vectors[(i * dim) + d];
                    nj += vectors[(j * dim) + d] * vectors[(j * dim) + d];
                }

                result[(i * m) + j] = dot / Math.Sqrt(ni * nj);
            }
        }

        return result;
    }
}
