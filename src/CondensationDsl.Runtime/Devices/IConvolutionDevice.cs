namespace CondensationDsl.Runtime.Devices;

/// <summary>
/// The shape of a 2-D convolution layer. NCHW, float32, row-major. Zero padding on all four sides; the same stride on
/// both axes. Input is Batch×Channels×Height×Width, weight Filters×Channels×KernelHeight×KernelWidth, bias Filters,
/// output Batch×Filters×OutHeight×OutWidth.
/// </summary>
/// <param name="Batch">Images per call (N).</param>
/// <param name="Channels">Input channels (C).</param>
/// <param name="Height">Input height (H).</param>
/// <param name="Width">Input width (W).</param>
/// <param name="Filters">Output channels (K).</param>
/// <param name="KernelHeight">Filter height (R).</param>
/// <param name="KernelWidth">Filter width (S).</param>
/// <param name="Stride">Step between neighbouring output positions, on both axes (≥ 1).</param>
/// <param name="Padding">Zero rows and columns added on each of the four sides (≥ 0).</param>
public readonly record struct ConvShape(int Batch, int Channels, int Height, int Width, int Filters, int KernelHeight, int KernelWidth, int Stride, int Padding)
{
    /// <summary>Output height P = ⌊(H + 2·pad − R) / stride⌋ + 1 (meaningful once <see cref="Validate"/> passed).</summary>
    public int OutHeight => (Height + 2 * Padding - KernelHeight) / Stride + 1;

    /// <summary>Output width Q = ⌊(W + 2·pad − S) / stride⌋ + 1 (meaningful once <see cref="Validate"/> passed).</summary>
    public int OutWidth => (Width + 2 * Padding - KernelWidth) / Stride + 1;

    /// <summary>Floats in the input: N·C·H·W.</summary>
    public int InputLength => checked(Batch * Channels * Height * Width);

    /// <summary>Floats in the weight: K·C·R·S.</summary>
    public int WeightLength => checked(Filters * Channels * KernelHeight * KernelWidth);

    /// <summary>Floats in the bias: K.</summary>
    public int BiasLength => Filters;

    /// <summary>Floats in the output: N·K·P·Q.</summary>
    public int OutputLength => checked(Batch * Filters * OutHeight * OutWidth);

    /// <summary>Weights per filter, the inner dimension of the convolution as a matrix product: C·R·S.</summary>
    public int PatchLength => checked(Channels * KernelHeight * KernelWidth);

    /// <summary>Output positions per image and filter: P·Q.</summary>
    public int OutPositions => checked(OutHeight * OutWidth);

    /// <summary>Throws <see cref="ArgumentException"/> for a non-positive size or stride, a negative padding, a kernel
    /// larger than the padded input (an empty output), or buffer lengths beyond <see cref="int.MaxValue"/>.</summary>
    public void Validate()
    {
        Positive(Batch, nameof(Batch));
        Positive(Channels, nameof(Channels));
        Positive(Height, nameof(Height));
        Positive(Width, nameof(Width));
        Positive(Filters, nameof(Filters));
        Positive(KernelHeight, nameof(KernelHeight));
        Positive(KernelWidth, nameof(KernelWidth));
        Positive(Stride, nameof(Stride));
        if (Padding < 0)
        {
            throw new ArgumentException($"Convolution {this}: Padding must be zero or positive, got {Padding}.");
        }

        // Compared before dividing: C# division truncates toward zero, so OutHeight alone would report 1 for a
        // kernel one row taller than the padded input.
        if ((long)Height + 2L * Padding < KernelHeight || (long)Width + 2L * Padding < KernelWidth)
        {
            throw new ArgumentException(
                $"Convolution {this}: the {KernelHeight}×{KernelWidth} kernel does not fit the padded " +
                $"{(long)Height + 2L * Padding}×{(long)Width + 2L * Padding} input, so the output would be empty.");
        }

        var outHeight = ((long)Height + 2L * Padding - KernelHeight) / Stride + 1;
        var outWidth = ((long)Width + 2L * Padding - KernelWidth) / Stride + 1;
        var limit = (double)int.MaxValue;
        if ((double)Batch * Channels * Height * Width > limit
            || (double)Filters * Channels * KernelHeight * KernelWidth > limit
            || (double)Batch * Filters * outHeight * outWidth > limit
            || (double)Channels * KernelHeight * KernelWidth * outHeight * outWidth > limit
            || Height + 2L * Padding > int.MaxValue
            || Width + 2L * Padding > int.MaxValue)
        {
            throw new ArgumentException($"Convolution {this}: a buffer would exceed {int.MaxValue} floats.");
        }
    }

    /// <summary>"N×C×H×W input, K filters R×S, stride s, padding p": only the nine sizes, so it is safe to print for
    /// any shape (the derived sizes would divide by a zero stride or overflow).</summary>
    public override string ToString() =>
        $"{Batch}×{Channels}×{Height}×{Width} input, {Filters} filters {KernelHeight}×{KernelWidth}, stride {Stride}, padding {Padding}";

    private void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"Convolution {this}: {name} must be positive, got {value}.");
        }
    }
}

/// <summary>
/// An optional capability: 2-D convolution (cross-correlation, as in PyTorch's Conv2d) with its backward pass. All
/// buffers are float32 NCHW (see <see cref="ConvShape"/>); each must hold at least the floats the shape needs.
/// Deterministic like every <see cref="IDevice"/> operation (fixed partitioning and summation order).
/// </summary>
public interface IConvolutionDevice : IDevice
{
    /// <summary>output[n,k,p,q] = bias[k] + Σ_{c,r,s} weight[k,c,r,s] · input[n,c,p·stride+r−pad, q·stride+s−pad]
    /// (zero outside the input; no bias term when <paramref name="bias"/> is null). Overwrites the output.</summary>
    void Conv2dForward(ConvShape shape, DeviceBuffer input, DeviceBuffer weight, DeviceBuffer? bias, DeviceBuffer output);

    /// <summary>From dL/dOutput (<paramref name="outputGradient"/>, shaped like the output): dL/dWeight (overwritten),
    /// dL/dBias (overwritten, when given: Σ over images and positions), dL/dInput (overwritten, when given).</summary>
    void Conv2dBackward(ConvShape shape, DeviceBuffer input, DeviceBuffer weight, DeviceBuffer outputGradient, DeviceBuffer weightGradient, DeviceBuffer? biasGradient, DeviceBuffer? inputGradient);
}
