using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// Batch normalization (PyTorch's BatchNorm1d/2d) followed by the layer's activation: Z = γ·(X − μ)/√(σ² + ε) + β per
/// channel, A = σ(Z). An image input is normalized per channel over the batch and every position; a vector input (a dense
/// layer's output) per feature over the batch. A training pass uses the batch's statistics and moves the running
/// statistics toward them (momentum <see cref="LayerSpec.Momentum"/>, unbiased variance); an evaluation pass uses the
/// running statistics only, so its outputs do not depend on the other rows of the batch. γ starts at 1, β at 0, the running
/// mean at 0 and the running variance at 1 (PyTorch's initial state); γ and β are the parameters "&lt;name&gt;.weight" and
/// "&lt;name&gt;.bias", the running statistics the state "&lt;name&gt;.running_mean" and "&lt;name&gt;.running_var".
/// </summary>
public sealed class BatchNormLayer : IDisposable
{
    private readonly IDevice device;
    private readonly IBatchNormDevice norm;
    private readonly DeviceBuffer z;
    private readonly DeviceBuffer a;
    private readonly DeviceBuffer? dz;
    private readonly DeviceBuffer savedMean;
    private readonly DeviceBuffer savedInverseStd;
    private readonly float momentum;

    // The input gradient BatchNormBackward always writes; only allocated when a caller asks for none (a first layer).
    private DeviceBuffer? discardedInputGradient;

    /// <param name="input">The input's shape: per-channel statistics over Height·Width positions; a vector is (width, 1, 1).</param>
    public BatchNormLayer(IDevice device, LayerSpec spec, ImageShape input, int capacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.device = device;
        norm = device as IBatchNormDevice
            ?? throw new NotSupportedException($"Layer '{spec.Name}' is a batch normalization, but device {device.Name} has no batch-normalization kernels.");
        momentum = (float)spec.Momentum;
        BatchNormShape.ValidateHyperParameters(momentum, BatchNormShape.DefaultEpsilon);
        Spec = spec;
        Input = input;
        Capacity = capacity;
        ShapeFor(capacity).Validate();
        var channels = input.Channels;
        Gamma = device.Allocate(channels);
        Beta = device.Allocate(channels);
        GammaGradient = device.Allocate(channels);
        BetaGradient = device.Allocate(channels);
        RunningMean = device.Allocate(channels);
        RunningVariance = device.Allocate(channels);
        savedMean = device.Allocate(channels);
        savedInverseStd = device.Allocate(channels);
        device.Fill(Gamma, 1f);
        device.Fill(Beta, 0f);
        device.Fill(RunningMean, 0f);
        device.Fill(RunningVariance, 1f);
        z = device.Allocate(checked(capacity * input.Length));
        a = spec.Activation == Activation.Linear ? z : device.Allocate(checked(capacity * input.Length));
        dz = spec.Activation == Activation.Linear ? null : device.Allocate(checked(capacity * input.Length));
    }

    public LayerSpec Spec { get; }

    public string Name => Spec.Name;

    /// <summary>The shape of one input (and output) row.</summary>
    public ImageShape Input { get; }

    public int Channels => Input.Channels;

    public int Capacity { get; }

    public DeviceBuffer Gamma { get; }

    public DeviceBuffer Beta { get; }

    public DeviceBuffer GammaGradient { get; }

    public DeviceBuffer BetaGradient { get; }

    public DeviceBuffer RunningMean { get; }

    public DeviceBuffer RunningVariance { get; }

    /// <summary>Outputs of the last forward pass (rows × C·H·W).</summary>
    public DeviceBuffer OutputBuffer => a;

    /// <summary>
    /// A training pass (<paramref name="training"/>: batch statistics, running statistics updated; needs at least two values
    /// per channel, rows·H·W ≥ 2) or an evaluation pass (running statistics); returns A.
    /// </summary>
    public DeviceBuffer Forward(DeviceBuffer x, int rows, bool training)
    {
        var shape = ShapeFor(rows);
        if (training)
        {
            norm.BatchNormForwardTraining(shape, x, Gamma, Beta, z, savedMean, savedInverseStd, RunningMean, RunningVariance, momentum);
        }
        else
        {
            norm.BatchNormForwardInference(shape, x, Gamma, Beta, RunningMean, RunningVariance, z);
        }

        if (Spec.Activation != Activation.Linear)
        {
            device.ActivationForward(Spec.Activation, z, a, rows * Input.Length);
        }

        return a;
    }

    /// <summary>
    /// From dL/dA and the X of the last training pass: dL/dγ, dL/dβ and, when <paramref name="dx"/> is given, dL/dX through
    /// the batch statistics too (the gradient of a training pass; an evaluation pass has none of its own).
    /// </summary>
    public void Backward(DeviceBuffer x, DeviceBuffer da, DeviceBuffer? dx, int rows)
    {
        var gradient = da;
        if (dz is not null)
        {
            device.ActivationBackward(Spec.Activation, z, da, dz, rows * Input.Length);
            gradient = dz;
        }

        var inputGradient = dx ?? (discardedInputGradient ??= device.Allocate(Capacity * Input.Length));
        norm.BatchNormBackward(ShapeFor(rows), gradient, x, Gamma, savedMean, savedInverseStd, inputGradient, GammaGradient, BetaGradient);
    }

    /// <summary>Floats per row this layer allocates (outputs, pre-activations and their gradient), for memory sizing.</summary>
    public static long FloatsPerRow(LayerSpec spec, ImageShape input) =>
        (spec.Activation == Activation.Linear ? 1L : 3L) * input.Length;

    public void Dispose()
    {
        Gamma.Dispose();
        Beta.Dispose();
        GammaGradient.Dispose();
        BetaGradient.Dispose();
        RunningMean.Dispose();
        RunningVariance.Dispose();
        savedMean.Dispose();
        savedInverseStd.Dispose();
        z.Dispose();
        if (!ReferenceEquals(a, z))
        {
            a.Dispose();
        }

        dz?.Dispose();
        discardedInputGradient?.Dispose();
    }

    private BatchNormShape ShapeFor(int rows)
    {
        if (rows < 1 || rows > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Layer '{Name}' holds activations for 1..{Capacity} rows.");
        }

        return new BatchNormShape(rows, Input.Channels, Input.Height * Input.Width);
    }
}
