using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// Reductions with a fixed shape and no float atomics, so every run adds the same numbers in the same order.
/// Checked by DeviceConformanceTests.SumOverRows_MatchesFloat64 and MseLossAndGradient_MatchesFloat64
/// (and the determinism test).
/// </summary>
public static class ReductionKernels
{
    /// <summary>Number of partial sums of the MSE: fixed (not derived from the accelerator) so that the
    /// summation order, and therefore the loss bit pattern, is the same on every accelerator.</summary>
    public const int MsePartialCount = 256;

    /// <summary>result[c] = Σ_r matrix[r, c]: one thread per column, rows added in order.</summary>
    public static void SumOverRows(Index1D column, ArrayView<float> matrix, ArrayView<float> result, int rows, int columns)
    {
        float sum = 0f;
        for (int r = 0; r < rows; r++)
        {
            sum += matrix[r * columns + column];
        }
        result[column] = sum;
    }

    /// <summary>
    /// Pass 1 of the MSE: slot s handles elements s, s + P, s + 2P, … (P = <see cref="MsePartialCount"/>; neighbouring
    /// threads read neighbouring elements), writes their gradient 2(p − t)/n and their partial sum of squares.
    /// </summary>
    public static void MsePartials(
        Index1D slot, ArrayView<float> prediction, ArrayView<float> target, ArrayView<float> gradient,
        ArrayView<float> partials, int length, float gradientScale)
    {
        float sum = 0f;
        for (int i = slot; i < length; i += MsePartialCount)
        {
            float d = prediction[i] - target[i];
            gradient[i] = gradientScale * d;
            sum += d * d;
        }
        partials[slot] = sum;
    }

    /// <summary>Pass 2 of the MSE: a single thread adds the partial sums in slot order and divides by n.</summary>
    public static void MseFinish(Index1D index, ArrayView<float> partials, ArrayView<float> result, int count, float inverseLength)
    {
        float sum = 0f;
        for (int s = 0; s < count; s++)
        {
            sum += partials[s];
        }
        result[index] = sum * inverseLength;
    }
}
