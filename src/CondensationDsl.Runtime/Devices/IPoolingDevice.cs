namespace CondensationDsl.Runtime.Devices;

/// <summary>
/// The shape of a pooling operation on NCHW float32 tensors: a window of <see cref="WindowHeight"/>×<see cref="WindowWidth"/>
/// moved by <see cref="Stride"/> on both axes, no padding; windows that would cross the edge are not taken (floor), so the
/// last rows or columns of an image may belong to no window.
/// </summary>
/// <param name="Batch">Number of images (N).</param>
/// <param name="Channels">Channels per image (C).</param>
/// <param name="Height">Rows of each image plane (H).</param>
/// <param name="Width">Columns of each image plane (W).</param>
/// <param name="WindowHeight">Rows covered by one window.</param>
/// <param name="WindowWidth">Columns covered by one window.</param>
/// <param name="Stride">Step between neighbouring windows, the same on both axes.</param>
public readonly record struct PoolShape(int Batch, int Channels, int Height, int Width, int WindowHeight, int WindowWidth, int Stride)
{
    /// <summary>Largest plane (Height·Width) for max pooling: argmax indices are stored as floats, exact below 2^24.</summary>
    public const int MaxPlaneLength = 1 << 24;

    /// <summary>Rows of each output plane: ⌊(Height − WindowHeight) / Stride⌋ + 1.</summary>
    public int OutHeight => (Height - WindowHeight) / Stride + 1;

    /// <summary>Columns of each output plane: ⌊(Width − WindowWidth) / Stride⌋ + 1.</summary>
    public int OutWidth => (Width - WindowWidth) / Stride + 1;

    /// <summary>Number of image planes, Batch·Channels (each pooled independently).</summary>
    public int Planes => Batch * Channels;

    /// <summary>Floats in one input plane, Height·Width.</summary>
    public int InputPlaneLength => Height * Width;

    /// <summary>Floats in one output plane, OutHeight·OutWidth.</summary>
    public int OutputPlaneLength => OutHeight * OutWidth;

    /// <summary>Floats in the input (and the input gradient): Batch·Channels·Height·Width.</summary>
    public int InputLength => Planes * InputPlaneLength;

    /// <summary>Floats in the output (and the output gradient and argmax): Batch·Channels·OutHeight·OutWidth.</summary>
    public int OutputLength => Planes * OutputPlaneLength;

    /// <summary>Elements per window, WindowHeight·WindowWidth (the divisor of average pooling).</summary>
    public int WindowLength => WindowHeight * WindowWidth;

    /// <summary>Global average pooling: one window covering the whole image.</summary>
    public static PoolShape Global(int batch, int channels, int height, int width) => new(batch, channels, height, width, height, width, 1);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless every dimension and the stride are at least 1, the window fits in the
    /// image, the input length fits in an int and a plane has at most <see cref="MaxPlaneLength"/> elements.
    /// </summary>
    public void Validate()
    {
        Positive(Batch, nameof(Batch));
        Positive(Channels, nameof(Channels));
        Positive(Height, nameof(Height));
        Positive(Width, nameof(Width));
        Positive(WindowHeight, nameof(WindowHeight));
        Positive(WindowWidth, nameof(WindowWidth));
        Positive(Stride, nameof(Stride));
        if (WindowHeight > Height || WindowWidth > Width)
        {
            throw new ArgumentException(
                $"Pooling window {WindowHeight}×{WindowWidth} does not fit in an image of {Height}×{Width}.", nameof(PoolShape));
        }

        long plane = (long)Height * Width;
        if (plane > MaxPlaneLength)
        {
            throw new ArgumentException(
                $"Image plane {Height}×{Width} has more than 2^24 elements; pooling indices are stored as exact floats only below that.",
                nameof(PoolShape));
        }

        if ((long)Batch * Channels * plane > int.MaxValue)
        {
            throw new ArgumentException(
                $"Pooling input {Batch}×{Channels}×{Height}×{Width} has more than {int.MaxValue} elements.", nameof(PoolShape));
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"Pooling {name} must be at least 1 (got {value}).", nameof(PoolShape));
        }
    }
}

/// <summary>
/// Pooling layers on NCHW float32 buffers (see <see cref="PoolShape"/>), forward and backward. Every method validates the
/// shape (<see cref="PoolShape.Validate"/>) and the buffer lengths (at least <see cref="PoolShape.InputLength"/> or
/// <see cref="PoolShape.OutputLength"/> floats) and throws <see cref="ArgumentException"/> otherwise. Results are
/// deterministic; the backward passes need no atomics (each input element gathers its own contributions).
/// </summary>
public interface IPoolingDevice : IDevice
{
    /// <summary>output = max over each window; argmax receives, per output element, the flat index (within its n,c image
    /// plane, h·W + w) of the first maximum in row-major window order, stored as a float (exact below 2^24).</summary>
    void MaxPoolForward(PoolShape shape, DeviceBuffer input, DeviceBuffer output, DeviceBuffer argmax);

    /// <summary>inputGradient (overwritten) = outputGradient routed to each window's argmax (summed where windows overlap,
    /// in row-major output order). An argmax entry that is not a position inside its own window routes nothing.</summary>
    void MaxPoolBackward(PoolShape shape, DeviceBuffer outputGradient, DeviceBuffer argmax, DeviceBuffer inputGradient);

    /// <summary>output = mean over each window (the window's sum divided by WindowHeight·WindowWidth).</summary>
    void AvgPoolForward(PoolShape shape, DeviceBuffer input, DeviceBuffer output);

    /// <summary>inputGradient (overwritten) = Σ over the windows containing it of outputGradient / (WindowHeight·WindowWidth);
    /// elements in no window get 0.</summary>
    void AvgPoolBackward(PoolShape shape, DeviceBuffer outputGradient, DeviceBuffer inputGradient);
}
