namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// Scalar float32 math shared by the activation kernels. We write tanh, sigmoid, softplus and log1p ourselves on
/// top of <see cref="MathF.Exp"/> and <see cref="MathF.Log"/> so that every ILGPU backend (CPU simulator, PTX,
/// OpenCL) evaluates the same formulas; only exp/log come from the backend.
/// Checked by DeviceConformanceTests.ActivationForward_MatchesFloat64 and ActivationBackward_MatchesFloat64.
/// </summary>
internal static class DeviceMath
{
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
            float e = MathF.Exp(ax + ax);
            y = 1f - 2f / (e + 1f);
        }
        return x < 0f ? -y : y;
    }

    /// <summary>Logistic function without overflow: exp is only ever taken of a non-positive number.</summary>
    public static float Sigmoid(float x)
    {
        if (x >= 0f)
        {
            return 1f / (1f + MathF.Exp(-x));
        }
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    /// <summary>log(1 + e) for e ≥ 0 accurate when e is tiny (float32 has no log1p): the classic
    /// u = 1 + e; log(u)·e/(u − 1) correction, exact when u rounds to 1.</summary>
    public static float Log1P(float e)
    {
        float u = 1f + e;
        if (u == 1f)
        {
            return e;
        }
        return MathF.Log(u) * e / (u - 1f);
    }

    /// <summary>softplus(x) = max(x, 0) + log1p(exp(−|x|)): never overflows, keeps full precision for large negative x.</summary>
    public static float Softplus(float x)
    {
        float ax = x < 0f ? -x : x;
        float positive = x > 0f ? x : 0f;
        return positive + Log1P(MathF.Exp(-ax));
    }
}
