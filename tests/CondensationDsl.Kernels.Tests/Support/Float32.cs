namespace CondensationDsl.Kernels.Tests.Support;

/// <summary>Float32 rounding facts the tolerances are built from.</summary>
internal static class Float32
{
    /// <summary>Unit roundoff u = 2^-24: a correctly rounded float32 operation has relative error at most u.</summary>
    public const double U = 1.0 / (1 << 24);

    /// <summary>Uniform random floats in [lo, hi).</summary>
    public static float[] Uniform(Random rng, int length, double lo = -1, double hi = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        }
        return values;
    }

    public static int Bits(float value) => BitConverter.SingleToInt32Bits(value);
}
