namespace CondensationDsl.Runtime.Devices;

/// <summary>
/// The shape of a batch normalization over NCHW float32 activations: <see cref="Batch"/> samples of
/// <see cref="Channels"/> channels of <see cref="Spatial"/> = H·W values each, element (n, c, s) at index
/// (n·Channels + c)·Spatial + s. Each channel is normalized over its <see cref="PerChannel"/> = Batch·Spatial values.
/// A dense layer's batch normalization is Spatial = 1 (a row-major Batch×Channels matrix).
/// </summary>
/// <param name="Batch">Number of samples (N).</param>
/// <param name="Channels">Channels (C): one mean, variance, γ and β each.</param>
/// <param name="Spatial">Values per channel of one sample, H·W (1 for a dense layer).</param>
public readonly record struct BatchNormShape(int Batch, int Channels, int Spatial)
{
    /// <summary>PyTorch's default weight of the batch statistics in the running averages.</summary>
    public const float DefaultMomentum = 0.1f;

    /// <summary>PyTorch's default ε added to the variance before the square root.</summary>
    public const float DefaultEpsilon = 1e-5f;

    /// <summary>Values each channel's statistics are taken over, Batch·Spatial (the N of the formulas).</summary>
    public int PerChannel => Batch * Spatial;

    /// <summary>Floats in the activations (input, output and their gradients): Batch·Channels·Spatial.</summary>
    public int Length => Batch * Channels * Spatial;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless every dimension is at least 1 and <see cref="Length"/> fits in an int.
    /// </summary>
    public void Validate()
    {
        Positive(Batch, nameof(Batch));
        Positive(Channels, nameof(Channels));
        Positive(Spatial, nameof(Spatial));
        if ((long)Batch * Channels * Spatial > int.MaxValue)
        {
            throw new ArgumentException(
                $"Batch normalization of {Batch}×{Channels}×{Spatial} has more than {int.MaxValue} elements.", nameof(BatchNormShape));
        }
    }

    /// <summary>
    /// <see cref="Validate"/>, and at least two values per channel: the unbiased variance of the running statistics
    /// divides by PerChannel − 1 (PyTorch refuses one value per channel in training mode too).
    /// </summary>
    public void ValidateForTraining()
    {
        Validate();
        if (PerChannel < 2)
        {
            throw new ArgumentException(
                $"Batch normalization in training mode needs more than one value per channel (Batch·Spatial = {PerChannel}).",
                nameof(BatchNormShape));
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless ε is positive and finite and the momentum is in [0, 1].</summary>
    public static void ValidateHyperParameters(float momentum, float epsilon)
    {
        if (!(momentum >= 0f && momentum <= 1f))
        {
            throw new ArgumentException($"Batch normalization momentum must be in [0, 1] (got {momentum}).", nameof(momentum));
        }

        if (!(epsilon > 0f && float.IsFinite(epsilon)))
        {
            throw new ArgumentException($"Batch normalization epsilon must be positive and finite (got {epsilon}).", nameof(epsilon));
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"Batch normalization {name} must be at least 1 (got {value}).", nameof(BatchNormShape));
        }
    }
}

/// <summary>
/// Batch normalization (Ioffe and Szegedy; PyTorch's BatchNorm1d/2d semantics) on NCHW float32 buffers, see
/// <see cref="BatchNormShape"/>. Per-channel buffers (γ, β, saved and running statistics, their gradients) hold
/// <see cref="BatchNormShape.Channels"/> floats; activation buffers hold <see cref="BatchNormShape.Length"/>.
/// Every method validates the shape and buffer lengths and throws <see cref="ArgumentException"/> before writing anything.
/// The per-channel reductions have a fixed order fixed by the shape alone, so results are deterministic on each device
/// (the CPU device: the same bits for any thread count); each device documents its accumulation.
/// </summary>
public interface IBatchNormDevice : IDevice
{
    /// <summary>
    /// Training-mode forward pass. Per channel c: mean_c and the biased variance var_c = mean of (x − mean_c)² over the
    /// Batch·Spatial values of c; output = γ_c·(x − mean_c)·invstd_c + β_c with invstd_c = 1/√(var_c + ε).
    /// <para>savedMean and savedInverseStd (written) receive mean_c and invstd_c: what <see cref="BatchNormBackward"/> needs.</para>
    /// <para>runningMean and runningVariance (read and updated) become (1 − momentum)·old + momentum·batch value, with the
    /// unbiased variance var_c·N/(N − 1) (N = Batch·Spatial), as PyTorch does.</para>
    /// <para><paramref name="output"/> may be <paramref name="input"/> (in place). Needs N ≥ 2.</para>
    /// </summary>
    void BatchNormForwardTraining(
        BatchNormShape shape, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer output,
        DeviceBuffer savedMean, DeviceBuffer savedInverseStd, DeviceBuffer runningMean, DeviceBuffer runningVariance,
        float momentum = BatchNormShape.DefaultMomentum, float epsilon = BatchNormShape.DefaultEpsilon);

    /// <summary>
    /// Evaluation-mode forward pass with the running statistics (read only): output = γ_c·(x − runningMean_c)/√(runningVariance_c + ε) + β_c.
    /// <paramref name="output"/> may be <paramref name="input"/>.
    /// </summary>
    void BatchNormForwardInference(
        BatchNormShape shape, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runningMean,
        DeviceBuffer runningVariance, DeviceBuffer output, float epsilon = BatchNormShape.DefaultEpsilon);

    /// <summary>
    /// Training-mode backward pass, given the output gradient dy, the forward's input x, γ and the forward's savedMean and
    /// savedInverseStd. With x̂ = (x − mean_c)·invstd_c and N = Batch·Spatial, writes (overwrites, does not accumulate):
    /// <para>betaGradient_c = Σ dy, gammaGradient_c = Σ dy·x̂ (sums over channel c's N values);</para>
    /// <para>inputGradient = γ_c·invstd_c/N·(N·dy − Σ dy − x̂·Σ dy·x̂), the gradient through the batch statistics too.</para>
    /// </summary>
    void BatchNormBackward(
        BatchNormShape shape, DeviceBuffer outputGradient, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer savedMean,
        DeviceBuffer savedInverseStd, DeviceBuffer inputGradient, DeviceBuffer gammaGradient, DeviceBuffer betaGradient);
}
