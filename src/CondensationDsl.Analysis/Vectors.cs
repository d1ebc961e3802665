using System.Runtime.CompilerServices;

namespace CondensationDsl.Analysis;

/// <summary>Small float64 vector helpers; plain loops keep results identical on every machine (no reassociation by SIMD width).</summary>
internal static class Vectors
{
    /// <remarks>
    /// Optimized from the first call: called for every pair of neurons with loops of a few elements, it would otherwise
    /// stay unoptimized while a short run lasts (loops that short never switch to optimized code on their own).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        var sum = 0.0;
        for (var i = 0; i < u.Length; i++)
        {
            sum += u[i] * v[i];
        }

        return sum;
    }

    public static double Norm(ReadOnlySpan<double> u) => Math.Sqrt(Dot(u, u));

    /// <summary>u·v/(‖u‖‖v‖) from precomputed norms; 0 when either vector is zero (SCIENCE.md: a zero vector is similar to nothing).</summary>
    public static double Cosine(ReadOnlySpan<double> u, double normU, ReadOnlySpan<double> v, double normV)
    {
        if (normU == 0 || normV == 0)
        {
            return 0;
        }

        // Rounding can push |D| a hair past 1 for parallel vectors; clamp so thresholds like τ = 1 behave.
        // Dividing twice instead of by normU·normV avoids underflow for tiny initializations (std = m^−4 and below).
        return Math.Clamp(Dot(u, v) / normU / normV, -1.0, 1.0);
    }
}
