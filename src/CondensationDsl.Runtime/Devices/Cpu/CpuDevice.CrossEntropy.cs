using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// Softmax cross-entropy and accuracy (<see cref="ICrossEntropyDevice"/>). Rows are split over threads; each row's loss
/// goes to its own slot and the slots are added in row order on the calling thread, so the loss and the gradient are
/// bit-identical for any thread count.
/// <para>Per row, with m the row max: e_c = exp(x_c − m) in float32 (Vector256.Exp, MathF.Exp for the tail; e_c ≤ 1, so no
/// overflow for any finite logits), S = Σ e_c in float64 (each e_c is exact in float64, so S carries only the exp
/// errors: relative error ≤ (|x_c − m|_max + 2)·u, u = 2^-24, from rounding x_c − m and from exp),
/// loss = log S + m − x_label in float64, and gradient_c = e_c·(1/(S·rows)) − 1[c = label]/rows in float32
/// (a few more roundings of u).</para>
/// </summary>
public sealed unsafe partial class CpuDevice : ICrossEntropyDevice
{
    private readonly CrossEntropyJob crossEntropy = new();
    private double[] rowLosses = [];

    public double SoftmaxCrossEntropy(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer gradient, int rows, int classes)
    {
        ClassLabels.ValidateShape(rows, classes);
        var x = Own(logits);
        var t = Own(labels);
        var g = Own(gradient);
        Require(x, (long)rows * classes, nameof(logits));
        Require(t, rows, nameof(labels));
        Require(g, (long)rows * classes, nameof(gradient));
        ClassLabels.Validate(t.Data.AsSpan(0, rows), classes);
        if (rowLosses.Length < rows)
        {
            rowLosses = new double[rows];
        }

        fixed (double* losses = rowLosses)
        {
            crossEntropy.Set(x.Pointer, t.Pointer, g.Pointer, losses, rows, classes);
            pool.Run(crossEntropy, PartsFor(8L * rows * classes, rows));
        }

        var sum = 0.0;
        for (var r = 0; r < rows; r++)
        {
            sum += rowLosses[r];
        }

        return sum / rows;
    }

    public int CountCorrect(DeviceBuffer logits, DeviceBuffer labels, int rows, int classes)
    {
        ClassLabels.ValidateShape(rows, classes);
        var x = Own(logits);
        var t = Own(labels);
        Require(x, (long)rows * classes, nameof(logits));
        Require(t, rows, nameof(labels));
        ClassLabels.Validate(t.Data.AsSpan(0, rows), classes);
        // Serial: one compare per logit, far below the cost of waking a worker at classification batch sizes.
        var correct = 0;
        for (var r = 0; r < rows; r++)
        {
            var row = x.Pointer + (long)r * classes;
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            if (best == (int)t.Pointer[r])
            {
                correct++;
            }
        }

        return correct;
    }

    /// <summary>Softmax cross-entropy over a range of rows: the loss of row r into losses[r], its gradient in place.</summary>
    private sealed class CrossEntropyJob : IParallelWork
    {
        private float* logits;
        private float* labels;
        private float* gradient;
        private double* losses;
        private int rows;
        private int classes;

        public void Set(float* logits, float* labels, float* gradient, double* losses, int rows, int classes)
        {
            this.logits = logits;
            this.labels = labels;
            this.gradient = gradient;
            this.losses = losses;
            this.rows = rows;
            this.classes = classes;
        }

        public void Execute(int part, int parts)
        {
            var r0 = (int)((long)rows * part / parts);
            var r1 = (int)((long)rows * (part + 1) / parts);
            for (var r = r0; r < r1; r++)
            {
                losses[r] = Row(logits + (long)r * classes, (int)labels[r], gradient + (long)r * classes, classes, rows);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double Row(float* x, int label, float* g, int classes, int rows)
        {
            // Row max: lane-wise over full vectors, then the lanes and the tail.
            var c = 0;
            var max = x[0];
            if (classes >= 8)
            {
                var vmax = Vector256.Load(x);
                for (c = 8; c + 8 <= classes; c += 8)
                {
                    vmax = Vector256.Max(vmax, Vector256.Load(x + c));
                }

                for (var lane = 0; lane < 8; lane++)
                {
                    max = MathF.Max(max, vmax.GetElement(lane));
                }
            }

            for (; c < classes; c++)
            {
                max = MathF.Max(max, x[c]);
            }

            // e_c = exp(x_c − m) into the gradient row, summed in float64 (two vectors of four doubles, then in order).
            var vm = Vector256.Create(max);
            var sum0 = Vector256<double>.Zero;
            var sum1 = Vector256<double>.Zero;
            for (c = 0; c + 8 <= classes; c += 8)
            {
                var e = Vector256.Exp(Vector256.Load(x + c) - vm);
                e.Store(g + c);
                var (lower, upper) = Vector256.Widen(e);
                sum0 += lower;
                sum1 += upper;
            }

            var sum = Vector256.Sum(sum0 + sum1);
            for (; c < classes; c++)
            {
                var e = MathF.Exp(x[c] - max);
                g[c] = e;
                sum += e;
            }

            // gradient = e·(1/(S·rows)) − 1[c = label]/rows.
            var scale = (float)(1.0 / (sum * rows));
            var vs = Vector256.Create(scale);
            for (c = 0; c + 8 <= classes; c += 8)
            {
                (Vector256.Load(g + c) * vs).Store(g + c);
            }

            for (; c < classes; c++)
            {
                g[c] *= scale;
            }

            g[label] -= (float)(1.0 / rows);
            return Math.Log(sum) + max - x[label];
        }
    }
}
