using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// Scalar float32 math shared by the activation kernels, written out in full (exp included) with only +, −, ×, ÷ and
/// bit casts. Why: on PTX, ILGPU.Algorithms lowers MathF.Exp to ex2.approx (relative error ≈ |x|·2^-24, so 6e-6 at
/// x = −100) and MathF.Log to lg2.approx (large relative error of log(1 + e) for small e); our own versions are
/// accurate to a few ulps and compute the same bits on every backend (up to FMA contraction by the GPU compiler).
/// Checked by DeviceConformanceTests.ActivationForward_MatchesFloat64 and ActivationBackward_MatchesFloat64.
/// </summary>
internal static class DeviceMath
{
    /// <summary>
    /// e^x with a few ulps of error: x = n·ln 2 + r (Cody–Waite, ln 2 split in an exact high part and a low part),
    /// |r| ≤ ½ ln 2, e^r by its degree-7 Taylor polynomial (truncation &lt; 6e-9), times 2^n built from the exponent bits.
    /// </summary>
    public static float Exp(float x)
    {
        if (x > 88.72284f)
        {
            return float.PositiveInfinity;
        }
        if (x < -103.97208f)
        {
            return 0f;
        }
        float t = x * 1.44269504f;
        int n = (int)(t >= 0f ? t + 0.5f : t - 0.5f);
        float r = x - n * 0.693359375f;
        r -= n * -2.12194440e-4f;
        float p = 1f + r * (1f + r * (0.5f + r * (1f / 6f + r * (1f / 24f + r * (1f / 120f + r * (1f / 720f + r * (1f / 5040f)))))));
        // 2^n for n in [−150, 128] as one or two exact power-of-two factors (normal exponents are −126…127).
        if (n > 127)
        {
            p *= 2f;
            n -= 1;
        }
        if (n < -126)
        {
            p *= 5.421010862e-20f; // 2^-64
            n += 64;
        }
        return p * Interop.IntAsFloat((uint)(n + 127) << 23);
    }

    /// <summary>tanh with relative error of a few ulps: a polynomial near 0 (where 1 − 2/(e^{2x}+1) would cancel),
    /// the exponential form elsewhere, and ±1 beyond |x| = 9 (where tanh rounds to ±1 in float32 anyway).</summary>
    public static float Tanh(float x)
    {
        float ax = x < 0f ? -x : x;
        float y;
        if (ax < 0.625f)
        {
            // Cephes tanhf minimax polynomial on [0, 0.625]: tanh x ≈ x + x·s·P(s), s = x².
            float s = x * x;
            return ((((-5.70498872745e-3f * s + 2.06390887954e-2f) * s - 5.37397155531e-2f) * s
                + 1.33314422036e-1f) * s - 3.33332819422e-1f) * s * x + x;
        }
        if (ax > 9f)
        {
            y = 1f;
        }
        else
        {
            float e = Exp(ax + ax);
            y = 1f - 2f / (e + 1f);
        }
        return x < 0f ? -y : y;
    }

    /// <summary>Logistic function without overflow: exp is only ever taken of a non-positive number.</summary>
    public static float Sigmoid(float x)
    {
        if (x >= 0f)
        {
            return 1f / (1f + Exp(-x));
        }
        float e = Exp(x);
        return e / (1f + e);
    }

    /// <summary>log(1 + e) for 0 ≤ e ≤ 1, accurate for tiny e: log(1 + e) = 2·atanh(s) with s = e/(2 + e) ≤ 1/3,
    /// summed as 2(s + s³/3 + … + s¹⁷/17); the first omitted term is below 2^-24 relative.</summary>
    public static float Log1P(float e)
    {
        float s = e / (2f + e);
        float q = s * s;
        float series = 1f + q * (1f / 3f + q * (1f / 5f + q * (1f / 7f + q * (1f / 9f + q * (1f / 11f + q * (1f / 13f + q * (1f / 15f + q * (1f / 17f))))))));
        return 2f * s * series;
    }

    /// <summary>softplus(x) = max(x, 0) + log1p(exp(−|x|)): never overflows, keeps full precision for large negative x.</summary>
    public static float Softplus(float x)
    {
        float ax = x < 0f ? -x : x;
        float positive = x > 0f ? x : 0f;
        return positive + Log1P(Exp(-ax));
    }
}
