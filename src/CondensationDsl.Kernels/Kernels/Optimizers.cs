using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// Parameter updates, one thread per parameter.
/// Checked by DeviceConformanceTests.GradientDescentStep_MatchesFloat64 and AdamStep_MatchesFloat64OverSeveralSteps.
/// </summary>
public static class OptimizerKernels
{
    /// <summary>parameter −= learningRate · gradient.</summary>
    public static void GradientDescent(Index1D i, ArrayView<float> parameter, ArrayView<float> gradient, float learningRate)
    {
        parameter[i] -= learningRate * gradient[i];
    }

    /// <summary>
    /// PyTorch's Adam (no weight decay): m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²; m̂ = m/(1−β1^t); v̂ = v/(1−β2^t);
    /// p −= lr·m̂/(√v̂ + ε). The bias corrections 1−β^t are computed once per step on the host in float64 and passed in.
    /// </summary>
    public static void Adam(
        Index1D i, ArrayView<float> parameter, ArrayView<float> gradient, ArrayView<float> firstMoment,
        ArrayView<float> secondMoment, AdamCoefficients k)
    {
        float g = gradient[i];
        float m = k.Beta1 * firstMoment[i] + (1f - k.Beta1) * g;
        float v = k.Beta2 * secondMoment[i] + (1f - k.Beta2) * g * g;
        firstMoment[i] = m;
        secondMoment[i] = v;
        float mHat = m / k.BiasCorrection1;
        float vHat = v / k.BiasCorrection2;
        parameter[i] -= k.LearningRate * mHat / (MathF.Sqrt(vHat) + k.Epsilon);
    }
}

/// <summary>Adam's scalars for one step, packed in one struct to keep the kernel signature short.</summary>
public struct AdamCoefficients
{
    public float LearningRate;
    public float Beta1;
    public float Beta2;
    public float Epsilon;
    public float BiasCorrection1;
    public float BiasCorrection2;
}
