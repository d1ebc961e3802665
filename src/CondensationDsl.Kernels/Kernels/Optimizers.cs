using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// Parameter updates, one thread per parameter.
/// Checked by DeviceConformanceTests.GradientDescentStep_MatchesFloat64 and AdamStep_MatchesFloat64OverSeveralSteps;
/// the weight-decay, momentum and AdamW kernels by OptimizerConformanceTests.
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

    /// <summary>torch.optim.SGD without momentum: parameter −= lr·(gradient + λ·parameter).</summary>
    public static void SgdDecay(Index1D i, ArrayView<float> parameter, ArrayView<float> gradient, SgdCoefficients k)
    {
        float p = parameter[i];
        float d = gradient[i] + k.WeightDecay * p;
        parameter[i] = p - k.LearningRate * d;
    }

    /// <summary>
    /// torch.optim.SGD with momentum μ (dampening 0): d = g + λθ; v = d at the first step, else v = μv + d;
    /// θ −= lr·(Nesterov ? d + μv : v).
    /// </summary>
    public static void SgdMomentum(
        Index1D i, ArrayView<float> parameter, ArrayView<float> gradient, ArrayView<float> velocity, SgdCoefficients k)
    {
        float p = parameter[i];
        float d = gradient[i] + k.WeightDecay * p;
        float v = k.FirstStep != 0 ? d : k.Momentum * velocity[i] + d;
        float step = k.Nesterov != 0 ? d + k.Momentum * v : v;
        velocity[i] = v;
        parameter[i] = p - k.LearningRate * step;
    }

    /// <summary>
    /// <see cref="Adam"/> with weight decay (torch.optim.Adam's L2 or AdamW's decoupled decay): the gradient is
    /// g + λθ (λ = <see cref="AdamDecayCoefficients.GradientRate"/>, 0 for AdamW) and the step is taken from
    /// θ·(1 − lr·λ) (<see cref="AdamDecayCoefficients.DecoupledFactor"/>, 1 for L2).
    /// </summary>
    public static void AdamDecay(
        Index1D i, ArrayView<float> parameter, ArrayView<float> gradient, ArrayView<float> firstMoment,
        ArrayView<float> secondMoment, AdamCoefficients k, AdamDecayCoefficients decay)
    {
        float p = parameter[i];
        float g = gradient[i] + decay.GradientRate * p;
        float m = k.Beta1 * firstMoment[i] + (1f - k.Beta1) * g;
        float v = k.Beta2 * secondMoment[i] + (1f - k.Beta2) * g * g;
        firstMoment[i] = m;
        secondMoment[i] = v;
        float mHat = m / k.BiasCorrection1;
        float vHat = v / k.BiasCorrection2;
        parameter[i] = p * decay.DecoupledFactor - k.LearningRate * mHat / (MathF.Sqrt(vHat) + k.Epsilon);
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

/// <summary>SGD's scalars for one update; the flags are ints (0 or 1) because kernel arguments avoid bool.</summary>
public struct SgdCoefficients
{
    public float LearningRate;
    public float Momentum;
    public float WeightDecay;
    public int Nesterov;
    public int FirstStep;
}

/// <summary>Adam's weight decay for one step: λ added to the gradient as λθ (0 for AdamW) and AdamW's factor 1 − lr·λ (1 for L2).</summary>
public struct AdamDecayCoefficients
{
    public float GradientRate;
    public float DecoupledFactor;
}
