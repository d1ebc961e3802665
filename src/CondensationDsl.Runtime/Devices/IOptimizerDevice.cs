namespace CondensationDsl.Runtime.Devices;

/// <summary>
/// One torch.optim.SGD update's hyper-parameters (dampening 0, not maximizing).
/// </summary>
/// <param name="LearningRate">lr, the step size of this update (a schedule may change it between updates).</param>
/// <param name="Momentum">μ; 0 means plain SGD, and then no velocity buffer is read or written.</param>
/// <param name="WeightDecay">λ, L2 regularization added to the gradient: d = g + λθ.</param>
/// <param name="Nesterov">Step along d + μv instead of v (needs <paramref name="Momentum"/> &gt; 0).</param>
/// <param name="FirstStep">The velocity's first update: v = d, whatever the buffer holds (torch clones the gradient).</param>
public readonly record struct SgdStepParameters(float LearningRate, float Momentum, float WeightDecay, bool Nesterov, bool FirstStep)
{
    /// <summary>True when the update is plain GD, θ ← θ − lr·g, i.e. <see cref="IDevice.GradientDescentStep"/>.</summary>
    public bool IsPlain => Momentum == 0 && WeightDecay == 0;
}

/// <summary>
/// Adam's weight decay: L2 regularization added to the gradient (torch.optim.Adam's `weight_decay`, g ← g + λθ) or,
/// when <paramref name="Decoupled"/>, AdamW's decay of the parameter itself before the Adam step, θ ← θ·(1 − lr·λ).
/// </summary>
/// <param name="Rate">λ; 0 is plain Adam, <see cref="IDevice.AdamStep"/> bit for bit.</param>
/// <param name="Decoupled">AdamW (torch.optim.AdamW) instead of Adam with L2.</param>
public readonly record struct AdamWeightDecay(float Rate, bool Decoupled)
{
    /// <summary>No decay: plain Adam.</summary>
    public static AdamWeightDecay None => default;

    /// <summary>The factor AdamW multiplies the parameter by, 1 − lr·λ, computed in float64 and rounded once; 1 for L2 or no decay.</summary>
    public float DecoupledFactor(float learningRate) => Decoupled ? (float)(1.0 - (double)learningRate * Rate) : 1f;

    /// <summary>The λ added to the gradient as λθ: <see cref="Rate"/> for L2, 0 when decoupled.</summary>
    public float GradientRate => Decoupled ? 0f : Rate;
}

/// <summary>
/// Optimizer updates beyond <see cref="IDevice"/>'s plain GD and Adam: weight decay, SGD momentum (heavy-ball and
/// Nesterov) and AdamW, with torch.optim's formulas. At the default options each method runs the device's plain kernel
/// (<see cref="IDevice.GradientDescentStep"/>, <see cref="IDevice.AdamStep"/>), so results are bit-identical to them.
/// Each update is elementwise and deterministic; buffers shorter than <c>length</c> throw <see cref="ArgumentException"/>.
/// </summary>
public interface IOptimizerDevice : IDevice
{
    /// <summary>
    /// One torch.optim.SGD update: d = g + λθ; with momentum μ &gt; 0, v = d at the first step and v = μv + d after, and
    /// d = v (or d + μv with Nesterov); then θ ← θ − lr·d. <paramref name="velocity"/> is required when μ &gt; 0 (else
    /// <see cref="ArgumentNullException"/>) and ignored when μ = 0; the gradient buffer is not modified.
    /// </summary>
    void SgdStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer? velocity, SgdStepParameters hyper, int length);

    /// <summary>
    /// One Adam update as <see cref="IDevice.AdamStep"/> (PyTorch's formulation) with weight decay: L2 uses g + λθ in
    /// place of g; decoupled (AdamW) first multiplies θ by 1 − lr·λ. The gradient buffer is not modified.
    /// </summary>
    void AdamStep(
        DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment,
        AdamStepParameters hyper, AdamWeightDecay decay, int length);
}
