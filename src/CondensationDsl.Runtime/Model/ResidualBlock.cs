using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// A ResNet BasicBlock (He et al. 2016) on NCHW image rows: A = σ(bn2(conv2(σ(bn1(conv1(X))))) + S(X)), with 3×3 convolutions
/// without bias (padding 1; conv1 has the block's stride), σ the block's activation (ReLU in ResNet), and the shortcut S
/// the identity, or — when the stride is not 1 or the channel count changes — a 1×1 convolution with the block's stride
/// followed by batch normalization (PyTorch's "option B"). The inner layers are named "&lt;block&gt;.conv1", ".bn1",
/// ".conv2", ".bn2", ".shortcut.conv", ".shortcut.bn", so observations and parameters address them like top-level layers.
/// </summary>
public sealed class ResidualBlock : IDisposable
{
    private readonly IDevice device;
    private readonly IResidualDevice residual;
    private readonly DeviceBuffer sum;
    private readonly DeviceBuffer a;

    // Gradient scratch: dL/d(sum) (only with an activation: else the caller's dL/dA is used as is), two buffers the main
    // branch passes back and forth, and the shortcut's input gradient before it is added to the main branch's.
    private readonly DeviceBuffer? sumGradient;
    private readonly DeviceBuffer gradientA;
    private readonly DeviceBuffer gradientB;
    private readonly DeviceBuffer? shortcutInputGradient;

    public ResidualBlock(IDevice device, LayerSpec spec, ImageShape input, int capacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.device = device;
        residual = device as IResidualDevice
            ?? throw new NotSupportedException($"Layer '{spec.Name}' is a residual block, but device {device.Name} has no residual add.");
        Spec = spec;
        Input = input;
        Capacity = capacity;
        var inner = InnerLayers(spec, input);
        var built = new List<IDisposable>();
        try
        {
            Conv1 = Add(built, new ConvLayer(device, inner.Conv1, input, capacity));
            Output = Conv1.Output;
            Norm1 = Add(built, new BatchNormLayer(device, inner.Norm1, Output, capacity));
            Conv2 = Add(built, new ConvLayer(device, inner.Conv2, Output, capacity));
            Norm2 = Add(built, new BatchNormLayer(device, inner.Norm2, Output, capacity));
            if (inner.ShortcutConv is not null)
            {
                ShortcutConv = Add(built, new ConvLayer(device, inner.ShortcutConv, input, capacity));
                ShortcutNorm = Add(built, new BatchNormLayer(device, inner.ShortcutNorm!, Output, capacity));
                shortcutInputGradient = device.Allocate(checked(capacity * input.Length));
            }
        }
        catch
        {
            built.ForEach(layer => layer.Dispose());
            throw;
        }

        var length = checked(capacity * Output.Length);
        sum = device.Allocate(length);
        a = spec.Activation == Activation.Linear ? sum : device.Allocate(length);
        sumGradient = spec.Activation == Activation.Linear ? null : device.Allocate(length);
        gradientA = device.Allocate(length);
        gradientB = device.Allocate(length);
    }

    public LayerSpec Spec { get; }

    public string Name => Spec.Name;

    public ImageShape Input { get; }

    /// <summary>The shape of one output image: the block's channels × the first convolution's output positions.</summary>
    public ImageShape Output { get; }

    public int Capacity { get; }

    public ConvLayer Conv1 { get; }

    public BatchNormLayer Norm1 { get; }

    public ConvLayer Conv2 { get; }

    public BatchNormLayer Norm2 { get; }

    /// <summary>The projection shortcut's convolution, or null for the identity shortcut.</summary>
    public ConvLayer? ShortcutConv { get; }

    public BatchNormLayer? ShortcutNorm { get; }

    /// <summary>
    /// The inner layers in forward (and parameter) order, each a convolution or a batch normalization: conv1, bn1, conv2,
    /// bn2[, shortcut conv, shortcut bn].
    /// </summary>
    public IEnumerable<(ConvLayer? Conv, BatchNormLayer? Norm)> InnerLayersInOrder()
    {
        yield return (Conv1, null);
        yield return (null, Norm1);
        yield return (Conv2, null);
        yield return (null, Norm2);
        if (ShortcutConv is not null)
        {
            yield return (ShortcutConv, null);
            yield return (null, ShortcutNorm!);
        }
    }

    /// <summary>Outputs of the last forward pass (rows × C·P·Q).</summary>
    public DeviceBuffer OutputBuffer => a;

    /// <summary>A training pass (batch statistics in every batch normalization) or an evaluation pass; returns A.</summary>
    public DeviceBuffer Forward(DeviceBuffer x, int rows, bool training)
    {
        var main = Norm2.Forward(Conv2.Forward(Norm1.Forward(Conv1.Forward(x, rows), rows, training), rows), rows, training);
        var shortcut = ShortcutConv is null ? x : ShortcutNorm!.Forward(ShortcutConv.Forward(x, rows), rows, training);
        residual.Add(main, shortcut, sum, rows * Output.Length);
        if (Spec.Activation != Activation.Linear)
        {
            device.ActivationForward(Spec.Activation, sum, a, rows * Output.Length);
        }

        return a;
    }

    /// <summary>
    /// From dL/dA and the X of the last training pass: every inner gradient and, when <paramref name="dx"/> is given, dL/dX
    /// (the main branch's plus the shortcut's).
    /// </summary>
    public void Backward(DeviceBuffer x, DeviceBuffer da, DeviceBuffer? dx, int rows)
    {
        var length = rows * Output.Length;
        var dSum = da;
        if (sumGradient is not null)
        {
            device.ActivationBackward(Spec.Activation, sum, da, sumGradient, length);
            dSum = sumGradient;
        }

        Norm2.Backward(Conv2.OutputBuffer, dSum, gradientA, rows);
        Conv2.Backward(Norm1.OutputBuffer, gradientA, gradientB, rows);
        Norm1.Backward(Conv1.OutputBuffer, gradientB, gradientA, rows);
        Conv1.Backward(x, gradientA, dx, rows);
        if (ShortcutConv is not null)
        {
            ShortcutNorm!.Backward(ShortcutConv.OutputBuffer, dSum, gradientB, rows);
            ShortcutConv.Backward(x, gradientB, dx is null ? null : shortcutInputGradient, rows);
            if (dx is not null)
            {
                residual.Add(dx, shortcutInputGradient!, dx, rows * Input.Length);
            }
        }
        else if (dx is not null)
        {
            residual.Add(dx, dSum, dx, length);
        }
    }

    public void Dispose()
    {
        foreach (var (conv, norm) in InnerLayersInOrder())
        {
            conv?.Dispose();
            norm?.Dispose();
        }

        sum.Dispose();
        if (!ReferenceEquals(a, sum))
        {
            a.Dispose();
        }

        sumGradient?.Dispose();
        gradientA.Dispose();
        gradientB.Dispose();
        shortcutInputGradient?.Dispose();
    }

    /// <summary>The inner layers' specs of block <paramref name="spec"/> on images of <paramref name="input"/>.</summary>
    public static BlockLayers InnerLayers(LayerSpec spec, ImageShape input)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Kind != LayerKind.Residual)
        {
            throw new ArgumentException($"Layer '{spec.Name}' is not a residual block.", nameof(spec));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Width, 1);
        LayerSpec Conv(string name, int kernel, int stride, int padding) =>
            new($"{spec.Name}.{name}", LayerKind.Conv, spec.Width, Activation.Linear, false, spec.InitStd) { Kernel = kernel, Stride = stride, Padding = padding };
        LayerSpec Norm(string name, Activation activation) =>
            new($"{spec.Name}.{name}", LayerKind.BatchNorm, spec.Width, activation, true, null) { Momentum = spec.Momentum };
        var projected = spec.Stride != 1 || input.Channels != spec.Width;
        return new BlockLayers(
            Conv("conv1", 3, spec.Stride, 1),
            Norm("bn1", spec.Activation),
            Conv("conv2", 3, 1, 1),
            Norm("bn2", Activation.Linear),
            projected ? Conv("shortcut.conv", 1, spec.Stride, 0) : null,
            projected ? Norm("shortcut.bn", Activation.Linear) : null);
    }

    /// <summary>The shape of one output image of block <paramref name="spec"/> on <paramref name="input"/>; checks the geometry.</summary>
    public static ImageShape OutputOf(LayerSpec spec, ImageShape input) => ConvLayer.OutputOf(InnerLayers(spec, input).Conv1, input);

    /// <summary>Floats per row the block allocates (its inner layers' activations and the block's own buffers), for memory sizing.</summary>
    public static long FloatsPerRow(LayerSpec spec, ImageShape input)
    {
        var inner = InnerLayers(spec, input);
        var output = OutputOf(spec, input);
        long total = output.Length * 2L + BatchNormLayer.FloatsPerRow(inner.Norm1, output) * 2L; // conv1, conv2, bn1, bn2 (~)
        if (inner.ShortcutConv is not null)
        {
            total += output.Length * 2L + input.Length;
        }

        return total + (output.Length * (spec.Activation == Activation.Linear ? 3L : 5L));
    }

    private static T Add<T>(List<IDisposable> built, T layer)
        where T : IDisposable
    {
        built.Add(layer);
        return layer;
    }
}

/// <summary>The layers inside a <see cref="ResidualBlock"/>; the shortcut pair is null for the identity shortcut.</summary>
public sealed record BlockLayers(LayerSpec Conv1, LayerSpec Norm1, LayerSpec Conv2, LayerSpec Norm2, LayerSpec? ShortcutConv, LayerSpec? ShortcutNorm)
{
    /// <summary>In forward order, the shortcut last.</summary>
    public IEnumerable<LayerSpec> All => new[] { Conv1, Norm1, Conv2, Norm2, ShortcutConv, ShortcutNorm }.OfType<LayerSpec>();
}
