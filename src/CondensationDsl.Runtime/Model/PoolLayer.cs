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
        Output = OutputOf(spec, input);
        output = device.Allocate(checked(capacity * Output.Length));
        argmax = spec.Kind == LayerKind.MaxPool ? device.Allocate(checked(capacity * Output.Length)) : null;
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

    /// <summary>The shape of one output image of pooling <paramref name="spec"/> on images of <paramref name="input"/>; checks the geometry.</summary>
    public static ImageShape OutputOf(LayerSpec spec, ImageShape input)
    {
        var one = PoolShapeOf(spec, input, 1);
        one.Validate();
        return new ImageShape(input.Channels, one.OutHeight, one.OutWidth);
    }

    private PoolShape ShapeFor(int rows)
    {
        if (rows < 1 || rows > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Layer '{Name}' holds outputs for 1..{Capacity} rows.");
        }

        return PoolShapeOf(Spec, Input, rows);
    }

    private static PoolShape PoolShapeOf(LayerSpec spec, ImageShape input, int rows) =>
        spec.Kernel == 0
            ? PoolShape.Global(rows, input.Channels, input.Height, input.Width)
            : new PoolShape(rows, input.Channels, input.Height, input.Width, spec.Kernel, spec.Kernel, spec.Stride);
}
