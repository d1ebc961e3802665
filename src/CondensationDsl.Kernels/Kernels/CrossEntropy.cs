using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// Softmax cross-entropy, one thread per row (rows are a batch, classes few). Labels are validated on the host first.
/// The row's S = Σ_c exp(x_c − m) is accumulated in float32 in class order with DeviceMath.Exp (a few ulps): its relative
/// error is at most (classes + |x_c − m|_max + 4)·u, u = 2^-24, so log S, which the host takes in float64 from the
/// statistics written here, is off by at most that much in absolute terms.
/// Checked by CrossEntropyConformanceTests (float64 reference, finite differences, extreme logits, CPU agreement).
/// </summary>
public static class CrossEntropyKernels
{
    /// <summary>Floats of statistics per row written by <see cref="SoftmaxRows"/>: S, the row max m and x_label.</summary>
    public const int StatsPerRow = 3;

    /// <summary>gradient[r, c] = exp(x_c − m)·(inverseRows / S) − 1[c = label]·inverseRows; stats[3r..3r+2] = (S, m, x_label).</summary>
    public static void SoftmaxRows(
        Index1D r, ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> gradient, ArrayView<float> stats,
        int classes, float inverseRows)
    {
        int start = r * classes;
        float max = logits[start];
        for (int c = 1; c < classes; c++)
        {
            float v = logits[start + c];
            max = v > max ? v : max;
        }
        float sum = 0f;
        for (int c = 0; c < classes; c++)
        {
            float e = DeviceMath.Exp(logits[start + c] - max);
            gradient[start + c] = e;
            sum += e;
        }
        float scale = inverseRows / sum;
        for (int c = 0; c < classes; c++)
        {
            gradient[start + c] *= scale;
        }
        int label = (int)labels[r];
        gradient[start + label] -= inverseRows;
        stats[StatsPerRow * r] = sum;
        stats[StatsPerRow * r + 1] = max;
        stats[StatsPerRow * r + 2] = logits[start + label];
    }

    /// <summary>correct[r] = 1 when the row's first largest logit is at its label, else 0.</summary>
    public static void Correct(Index1D r, ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> correct, int classes)
    {
        int start = r * classes;
        int best = 0;
        float max = logits[start];
        for (int c = 1; c < classes; c++)
        {
            float v = logits[start + c];
            if (v > max)
            {
                max = v;
                best = c;
            }
        }
        correct[r] = best == (int)labels[r] ? 1f : 0f;
    }
}
