using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// Max or average pooling over each channel of NCHW image rows (no parameters): a square window of
/// <see cref="LayerSpec.Kernel"/> (0: the whole image, global pooling) moved by <see cref="LayerSpec.Stride"/>. Max pooling
/// keeps the position of each window's first maximum for the backward pass.
/// </summary>
public sealed class PoolLayer : IDisposable
{
    private readonly IPoolingDevice pooling;
    private readonly DeviceBuffer output;
    private readonly DeviceBuffer? argmax;

    public PoolLayer(IDevice device, LayerSpec spec, ImageShape input, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (spec.Kind is not (LayerKind.MaxPool or LayerKind.AvgPool))
        {
            throw new ArgumentException($"Layer '{spec.Name}' is not a pooling layer.", nameof(spec));
        }

        pooling = device as IPoolingDevice
            ?? throw new NotSupportedException($"Layer '{spec.Name}' pools, but device {device.Name} has no pooling kernels.");
        Spec = spec;
        Input = input;
        Capacity = capacity;
        var full = ShapeFor(capacity);
        full.Validate();
        Output = new ImageShape(input.Channels, full.OutHeight, full.OutWidth);
        output = device.Allocate(full.OutputLength);
        argmax = spec.Kind == LayerKind.MaxPool ? device.Allocate(full.OutputLength) : null;
    }

    public LayerSpec Spec { get; }

    public string Name => Spec.Name;

    public ImageShape Input { get; }

    public ImageShape Output { get; }

    public int Capacity { get; }

    /// <summary>Outputs of the last forward pass (rows × C·P·Q).</summary>
    public DeviceBuffer OutputBuffer => output;

    public DeviceBuffer Forward(DeviceBuffer x, int rows)
    {
        var shape = ShapeFor(rows);
        if (argmax is not null)
        {
            pooling.MaxPoolForward(shape, x, output, argmax);
        }
        else
        {
            pooling.AvgPoolForward(shape, x, output);
        }

        return output;
    }

    /// <summary>dL/dX (overwritten) from dL/dOutput of the last forward pass.</summary>
    public void Backward(DeviceBuffer outputGradient, DeviceBuffer inputGradient, int rows)
    {
        var shape = ShapeFor(rows);
        if (argmax is not null)
        {
            pooling.MaxPoolBackward(shape, outputGradient, argmax, inputGradient);
        }
        else
        {
            pooling.AvgPoolBackward(shape, outputGradient, inputGradient);
        }
    }

    public void Dispose()
    {
        output.Dispose();
        argmax?.Dispose();
    }

    private PoolShape ShapeFor(int rows)
    {
        if (rows < 1 || rows > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Layer '{Name}' holds outputs for 1..{Capacity} rows.");
        }

        return Spec.Kernel == 0
            ? PoolShape.Global(rows, Input.Channels, Input.Height, Input.Width)
            : new PoolShape(rows, Input.Channels, Input.Height, Input.Width, Spec.Kernel, Spec.Kernel, Spec.Stride);
    }
}
