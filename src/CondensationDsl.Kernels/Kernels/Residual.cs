using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>The residual add, one thread per element. Checked by BatchNormConformanceTests.Residual_Add_IsTheCorrectlyRoundedSum.</summary>
public static class ResidualKernels
{
    /// <summary>y[i] = a[i] + b[i]; y may be a or b (each thread reads its own elements before writing).</summary>
    public static void Add(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y)
    {
        y[i] = a[i] + b[i];
    }
}
