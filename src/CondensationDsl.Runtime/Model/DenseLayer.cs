using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// A fully connected layer on a device: Z = X·Wᵀ + b, A = σ(Z), with W outputs×inputs row-major and b of length outputs.
/// Activations are kept for up to <see cref="Capacity"/> rows so a pass never allocates.
/// </summary>
public sealed class DenseLayer : IDisposable
{
    private readonly IDevice device;
    private readonly IFusedDenseDevice? fused;
    private readonly DeviceBuffer z;
    private readonly DeviceBuffer a;
    private readonly DeviceBuffer dz;

    public DenseLayer(IDevice device, LayerSpec spec, int inputs, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.device = device;
        fused = device as IFusedDenseDevice;
        Spec = spec;
        Inputs = inputs;
        Capacity = capacity;
        Weight = device.Allocate(Outputs * inputs);
        WeightGradient = device.Allocate(Outputs * inputs);
        if (spec.Bias)
        {
            Bias = device.Allocate(Outputs);
            BiasGradient = device.Allocate(Outputs);
        }

        z = device.Allocate(capacity * Outputs);
        // The linear activation is the identity: A is Z itself, and dZ is dA.
        a = spec.Activation == Activation.Linear ? z : device.Allocate(capacity * Outputs);
        dz = device.Allocate(capacity * Outputs);
    }

    public LayerSpec Spec { get; }

    public string Name => Spec.Name;

    public int Inputs { get; }

    public int Outputs => Spec.Width;

    public int Capacity { get; }

    public Activation Activation => Spec.Activation;

    public DeviceBuffer Weight { get; }

    public DeviceBuffer WeightGradient { get; }

    public DeviceBuffer? Bias { get; }

    public DeviceBuffer? BiasGradient { get; }

    /// <summary>Pre-activations of the last forward pass (rows×outputs).</summary>
    public DeviceBuffer PreActivation => z;

    /// <summary>Outputs of the last forward pass (rows×outputs).</summary>
    public DeviceBuffer Output => a;

    /// <summary>Computes A from X (rows×inputs) and returns it.</summary>
    public DeviceBuffer Forward(DeviceBuffer x, int rows)
    {
        CheckRows(rows);
        if (fused is not null)
        {
            fused.DenseForward(Activation, x, Weight, Bias, z, a, rows, Inputs, Outputs);
            return a;
        }

        device.Gemm(false, true, rows, Outputs, Inputs, 1f, x, Weight, 0f, z);
        if (Bias is not null)
        {
            device.AddRowBroadcast(z, Bias, rows, Outputs);
        }

        if (Activation != Activation.Linear)
        {
            device.ActivationForward(Activation, z, a, rows * Outputs);
        }

        return a;
    }

    /// <summary>
    /// From dL/dA (rows×outputs) and the X of the forward pass, writes dL/dW, dL/db and, when <paramref name="dx"/> is
    /// given, dL/dX (rows×inputs). The first layer passes no dx: nothing upstream needs it.
    /// </summary>
    public void Backward(DeviceBuffer x, DeviceBuffer da, DeviceBuffer? dx, int rows)
    {
        CheckRows(rows);
        if (fused is not null)
        {
            fused.DenseBackward(Activation, x, Weight, z, da, dz, WeightGradient, BiasGradient, dx, rows, Inputs, Outputs);
            return;
        }

        var gradient = da;
        if (Activation != Activation.Linear)
        {
            device.ActivationBackward(Activation, z, da, dz, rows * Outputs);
            gradient = dz;
        }

        device.Gemm(true, false, Outputs, Inputs, rows, 1f, gradient, x, 0f, WeightGradient);
        if (BiasGradient is not null)
        {
            device.SumOverRows(gradient, rows, Outputs, BiasGradient);
        }

        if (dx is not null)
        {
            device.Gemm(false, false, rows, Inputs, Outputs, 1f, gradient, Weight, 0f, dx);
        }
    }

    /// <summary>
    /// The first half of this layer's backward pass when it is the one-output head of a fused pair: dZ = dA ∘ σ'(Z) and
    /// db = Σ_rows dZ. Returns dZ (rows×1); the previous layer's <see cref="BackwardWithScalarHead"/> does the rest.
    /// </summary>
    public DeviceBuffer HeadGradient(DeviceBuffer da, int rows)
    {
        CheckRows(rows);
        var gradient = da;
        if (Activation != Activation.Linear)
        {
            device.ActivationBackward(Activation, z, da, dz, rows * Outputs);
            gradient = dz;
        }

        if (BiasGradient is not null)
        {
            device.SumOverRows(gradient, rows, Outputs, BiasGradient);
        }

        return gradient;
    }

    /// <summary>
    /// This layer's backward pass fused with the weight gradient of the one-output <paramref name="head"/> that follows it
    /// (see <see cref="IFusedDenseDevice.DenseBackwardWithScalarHead"/>); <paramref name="headGradient"/> is the head's dZ.
    /// </summary>
    public void BackwardWithScalarHead(DeviceBuffer x, DenseLayer head, DeviceBuffer headGradient, DeviceBuffer? dx, int rows)
    {
        CheckRows(rows);
        fused!.DenseBackwardWithScalarHead(
            Activation, x, z, a, head.Weight, headGradient, head.WeightGradient, dx is null ? null : dz, WeightGradient, BiasGradient, rows, Inputs, Outputs);
        if (dx is not null)
        {
            device.Gemm(false, false, rows, Inputs, Outputs, 1f, dz, Weight, 0f, dx);
        }
    }

    /// <summary>Whether this layer and the one-output <paramref name="head"/> after it can run their backward passes fused.</summary>
    public bool CanFuseWithScalarHead(DenseLayer head) =>
        fused is not null && head.Outputs == 1 && fused.SupportsScalarHead(Activation, Inputs);

    public void Dispose()
    {
        Weight.Dispose();
        WeightGradient.Dispose();
        Bias?.Dispose();
        BiasGradient?.Dispose();
        z.Dispose();
        if (!ReferenceEquals(a, z))
        {
            a.Dispose();
        }

        dz.Dispose();
    }

    private void CheckRows(int rows)
    {
        if (rows < 1 || rows > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Layer '{Name}' holds activations for 1..{Capacity} rows.");
        }
    }
}
