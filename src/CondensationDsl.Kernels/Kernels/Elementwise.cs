using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// Memory and broadcast kernels, one thread per element (no reductions, so trivially deterministic).
/// Checked by DeviceConformanceTests.Fill_SetsEveryElement, Copy_CopiesEveryElement, AddRowBroadcast_MatchesFloat64 and
/// Multiply_IsTheCorrectlyRoundedProduct.
/// </summary>
public static class ElementwiseKernels
{
    public static void Fill(Index1D i, ArrayView<float> buffer, float value)
    {
        buffer[i] = value;
    }

    public static void Copy(Index1D i, ArrayView<float> source, ArrayView<float> destination)
    {
        destination[i] = source[i];
    }

    /// <summary>y[i] = x[i]·mask[i] (a dropout mask, forward and backward); y may be x, each thread reading its own element first.</summary>
    public static void Multiply(Index1D i, ArrayView<float> x, ArrayView<float> mask, ArrayView<float> y)
    {
        y[i] = x[i] * mask[i];
    }

    /// <summary>matrix[r, c] += row[c]; i runs over rows·columns.</summary>
    public static void AddRowBroadcast(Index1D i, ArrayView<float> matrix, ArrayView<float> row, int columns)
    {
        matrix[i] += row[i % columns];
    }
}
