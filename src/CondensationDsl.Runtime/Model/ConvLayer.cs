using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// A 2-D convolution layer on a device: Z = conv(X, W) + b, A = σ(Z), on rows of NCHW images (one row = one image,
/// C·H·W floats). W is filters × channels × kernel × kernel, row-major, so each filter's kernel is one row of a
/// filters × (C·k·k) matrix, like a dense layer's weights. Its output rows (K·P·Q floats) are what a following dense
/// layer reads: flattening is free.
/// </summary>
public sealed class ConvLayer : IDisposable
{
    private readonly IDevice device;
    private readonly IConvolutionDevice convolution;
    private readonly DeviceBuffer z;
    private readonly DeviceBuffer a;
    private readonly DeviceBuffer? dz;

    public ConvLayer(IDevice device, LayerSpec spec, ImageShape input, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.device = device;
        convolution = device as IConvolutionDevice
            ?? throw new NotSupportedException($"Layer '{spec.Name}' is a convolution, but device {device.Name} has no convolution kernels.");
        Spec = spec;
        Input = input;
        Capacity = capacity;
        Output = OutputOf(spec, input);
        Shape = ShapeFor(capacity);
        Weight = device.Allocate(Shape.WeightLength);
        WeightGradient = device.Allocate(Shape.WeightLength);
        if (spec.Bias)
        {
            Bias = device.Allocate(spec.Width);
            BiasGradient = device.Allocate(spec.Width);
        }

        z = device.Allocate(checked(capacity * Output.Length));
        a = spec.Activation == Activation.Linear ? z : device.Allocate(checked(capacity * Output.Length));
        dz = spec.Activation == Activation.Linear ? null : device.Allocate(checked(capacity * Output.Length));
    }

    public LayerSpec Spec { get; }

    public string Name => Spec.Name;

    /// <summary>The shape of one input image.</summary>
    public ImageShape Input { get; }

    /// <summary>The shape of one output image: filters × P × Q.</summary>
    public ImageShape Output { get; }

    public int Capacity { get; }

    /// <summary>The convolution for a full batch of <see cref="Capacity"/> images.</summary>
    public ConvShape Shape { get; }

    /// <summary>The fan-in of one output value: channels × kernel × kernel (what the init std is a function of).</summary>
    public int FanIn => Input.Channels * Spec.Kernel * Spec.Kernel;

    public DeviceBuffer Weight { get; }

    public DeviceBuffer WeightGradient { get; }

    public DeviceBuffer? Bias { get; }

    public DeviceBuffer? BiasGradient { get; }

    /// <summary>Outputs of the last forward pass (rows × K·P·Q).</summary>
    public DeviceBuffer OutputBuffer => a;

    /// <summary>Computes A from X (rows × C·H·W) and returns it.</summary>
    public DeviceBuffer Forward(DeviceBuffer x, int rows)
    {
        var shape = ShapeFor(rows);
        convolution.Conv2dForward(shape, x, Weight, Bias, z);
        if (Spec.Activation != Activation.Linear)
        {
            device.ActivationForward(Spec.Activation, z, a, rows * Output.Length);
        }

        return a;
    }

    /// <summary>From dL/dA (rows × K·P·Q) and the X of the forward pass: dL/dW, dL/db and, when asked, dL/dX.</summary>
    public void Backward(DeviceBuffer x, DeviceBuffer da, DeviceBuffer? dx, int rows)
    {
        var gradient = da;
        if (dz is not null)
        {
            device.ActivationBackward(Spec.Activation, z, da, dz, rows * Output.Length);
            gradient = dz;
        }

        convolution.Conv2dBackward(ShapeFor(rows), x, Weight, gradient, WeightGradient, BiasGradient, dx);
    }

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

        dz?.Dispose();
    }

    /// <summary>The shape of one output image of a convolution <paramref name="spec"/> on images of <paramref name="input"/>; checks the geometry.</summary>
    public static ImageShape OutputOf(LayerSpec spec, ImageShape input)
    {
        var one = new ConvShape(1, input.Channels, input.Height, input.Width, spec.Width, spec.Kernel, spec.Kernel, spec.Stride, spec.Padding);
        one.Validate();
        return new ImageShape(spec.Width, one.OutHeight, one.OutWidth);
    }

    private ConvShape ShapeFor(int rows)
    {
        if (rows < 1 || rows > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Layer '{Name}' holds activations for 1..{Capacity} rows.");
        }

        return new ConvShape(rows, Input.Channels, Input.Height, Input.Width, Spec.Width, Spec.Kernel, Spec.Kernel, Spec.Stride, Spec.Padding);
    }
}
