using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using static CondensationDsl.Kernels.Tests.Support.Float32;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>
/// <see cref="IPoolingDevice"/> against float64 references written here (max and average pooling, forward and backward),
/// against central finite differences of the float64 forward, and against the CPU device. Written once; each device
/// subclasses it. Tolerances are a-priori float32 bounds in the unit roundoff u = 2^-24.
/// </summary>
public abstract class PoolingConformanceTests : IDisposable
{
    private readonly List<DeviceBuffer> buffers = [];

    protected abstract IPoolingDevice Device { get; }

    /// <summary>Odd sizes, 2×2 stride 2, overlapping 3×3 stride 1, 3×2 stride 2, global pooling, batch 1 and 3, several
    /// channels, and a plane wider than one 8-float vector (the CPU's vector paths and their tails).</summary>
    protected virtual IReadOnlyList<PoolShape> Shapes => DefaultShapes;

    /// <summary>The shapes every device runs.</summary>
    protected static IReadOnlyList<PoolShape> DefaultShapes { get; } =
    [
        new(1, 1, 5, 7, 2, 2, 2),
        new(3, 2, 6, 8, 2, 2, 2),
        new(1, 3, 7, 9, 3, 3, 1),
        new(3, 2, 9, 7, 3, 2, 2),
        new(2, 1, 4, 4, 4, 4, 1),
        PoolShape.Global(3, 4, 5, 7),
        PoolShape.Global(1, 2, 1, 1),
        new(1, 2, 3, 3, 1, 1, 1),
        new(2, 3, 11, 35, 3, 3, 1),
        new(1, 2, 10, 19, 2, 3, 3),
    ];

    /// <summary>Central differences cost two float64 forward passes per input element: the shapes up to 4000 elements.</summary>
    private IEnumerable<PoolShape> FiniteDifferenceShapes => Shapes.Where(s => s.InputLength <= 4000);

    public void Dispose()
    {
        foreach (DeviceBuffer buffer in buffers)
        {
            buffer.Dispose();
        }
        DisposeDevice();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeDevice()
    {
    }

    [DeviceFact]
    public void PoolShape_DerivesOutputSizesAndLengths()
    {
        var shape = new PoolShape(2, 3, 7, 9, 3, 2, 2);
        Assert.Equal(3, shape.OutHeight);
        Assert.Equal(4, shape.OutWidth);
        Assert.Equal(2 * 3 * 7 * 9, shape.InputLength);
        Assert.Equal(2 * 3 * 3 * 4, shape.OutputLength);
        Assert.Equal(6, shape.WindowLength);
        Assert.Equal(new PoolShape(2, 3, 5, 6, 5, 6, 1), PoolShape.Global(2, 3, 5, 6));
        Assert.Equal(1, PoolShape.Global(2, 3, 5, 6).OutputPlaneLength);
    }

    [DeviceFact]
    public void InvalidShapesAndShortBuffers_Throw()
    {
        DeviceBuffer big = Track(Device.Allocate(1000));
        DeviceBuffer small = Track(Device.Allocate(3));
        PoolShape[] invalid =
        [
            new(1, 1, 4, 4, 5, 2, 1), new(1, 1, 4, 4, 2, 5, 1), new(1, 1, 4, 4, 2, 2, 0), new(0, 1, 4, 4, 2, 2, 1),
            new(1, 0, 4, 4, 2, 2, 1), new(1, 1, 4, 0, 1, 1, 1), new(1, 1, 4, 4, 0, 2, 1), new(1, 1, 5000, 5000, 2, 2, 2),
        ];
        foreach (PoolShape shape in invalid)
        {
            Assert.Throws<ArgumentException>(() => shape.Validate());
            Assert.Throws<ArgumentException>(() => Device.AvgPoolForward(shape, big, big));
            Assert.Throws<ArgumentException>(() => Device.MaxPoolForward(shape, big, big, big));
        }
        var valid = new PoolShape(1, 1, 4, 4, 2, 2, 2);
        valid.Validate();
        Assert.Throws<ArgumentException>(() => Device.AvgPoolForward(valid, small, big));
        Assert.Throws<ArgumentException>(() => Device.AvgPoolBackward(valid, big, small));
        Assert.Throws<ArgumentException>(() => Device.MaxPoolForward(valid, big, small, big));
        Assert.Throws<ArgumentException>(() => Device.MaxPoolBackward(valid, big, small, big));
    }

    [DeviceFact]
    public void MaxPoolForward_MatchesFloat64_WithFirstMaximumArgmax()
    {
        foreach (PoolShape shape in Shapes)
        {
            // Integers in [0, 4): many ties inside every window, so the first-maximum rule is exercised everywhere.
            var rng = new Random(shape.GetHashCode());
            foreach (float[] x in new[] { Uniform(rng, shape.InputLength), Ints(rng, shape.InputLength, 4) })
            {
                (double[] expected, int[] expectedArgmax) = MaxReference(shape, x);
                (float[] y, float[] argmax) = MaxForward(shape, x);
                for (int o = 0; o < shape.OutputLength; o++)
                {
                    Assert.True(expected[o] == y[o], $"{shape}: output {o} is {y[o]}, expected {expected[o]}");
                    Assert.True(expectedArgmax[o] == argmax[o], $"{shape}: argmax {o} is {argmax[o]}, expected {expectedArgmax[o]}");
                }
            }
        }
    }

    [DeviceFact]
    public void MaxPool_TiesGoToTheFirstMaximumInRowMajorOrder()
    {
        // One 3×3 window over a 3×4 plane with stride 1 (two windows): the maximum 5 appears at (0,2), (1,1) and (2,0).
        var shape = new PoolShape(1, 1, 3, 4, 3, 3, 1);
        float[] x = [1, 2, 5, 5, 0, 5, 3, 1, 5, 4, 5, 2];
        (float[] y, float[] argmax) = MaxForward(shape, x);
        Assert.Equal([5f, 5f], y);
        Assert.Equal([2f, 2f], argmax);

        DeviceBuffer dy = Up([1f, 10f]);
        DeviceBuffer indices = Up(argmax);
        DeviceBuffer dx = Up(Enumerable.Repeat(7f, 12).ToArray()); // overwritten, not accumulated into
        Device.MaxPoolBackward(shape, dy, indices, dx);
        Assert.Equal([0f, 0f, 11f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], Read(dx));
    }

    [DeviceFact]
    public void MaxPoolBackward_MatchesFloat64()
    {
        foreach (PoolShape shape in Shapes)
        {
            var rng = new Random(shape.GetHashCode() + 1);
            float[] x = Ints(rng, shape.InputLength, 3);
            float[] dy = Uniform(rng, shape.OutputLength);
            (_, int[] argmax) = MaxReference(shape, x);
            double[] expected = new double[shape.InputLength];
            double[] magnitude = new double[shape.InputLength];
            ForEachWindow(shape, (plane, o, h0, w0) =>
            {
                expected[plane * shape.InputPlaneLength + argmax[o]] += dy[o];
                magnitude[plane * shape.InputPlaneLength + argmax[o]] += Math.Abs(dy[o]);
            });
            int covering = MaxCover(shape);
            float[] dx = MaxBackward(shape, x, dy);
            for (int i = 0; i < dx.Length; i++)
            {
                // A sum of at most `covering` floats: |error| ≤ (covering − 1)·u·Σ|terms| (+ exact when one term).
                double tolerance = Math.Max(covering - 1, 0) * U * magnitude[i] * 1.01;
                Assert.True(Math.Abs(dx[i] - expected[i]) <= tolerance, $"{shape}: dx[{i}] = {dx[i]}, expected {expected[i]}");
            }
        }
    }

    [DeviceFact]
    public void MaxPoolBackward_MatchesFiniteDifferences()
    {
        foreach (PoolShape shape in FiniteDifferenceShapes)
        {
            // Distinct values 0.01 apart: a step of 1e-3 never changes a window's argmax, so the float64 forward is linear there.
            var rng = new Random(shape.GetHashCode() + 2);
            float[] x = Enumerable.Range(0, shape.InputLength).Select(i => (float)(i * 0.01)).OrderBy(_ => rng.Next()).ToArray();
            float[] weights = Uniform(rng, shape.OutputLength);
            double[] fd = FiniteDifferences(x, xs => Dot(weights, MaxReference(shape, xs).Output), 1e-3);
            float[] dx = MaxBackward(shape, x, weights);
            for (int i = 0; i < dx.Length; i++)
            {
                // |weights| < 1, so the float sum of at most c = MaxCover terms is within c·u·c of the exact one.
                Assert.True(Math.Abs(dx[i] - fd[i]) <= 1e-9 + 2 * MaxCover(shape) * MaxCover(shape) * U,
                    $"{shape}: dx[{i}] = {dx[i]}, finite difference {fd[i]}");
            }
        }
    }

    [DeviceFact]
    public void AvgPoolForward_MatchesFloat64()
    {
        foreach (PoolShape shape in Shapes)
        {
            var rng = new Random(shape.GetHashCode() + 3);
            float[] x = Uniform(rng, shape.InputLength, -2, 3);
            (double[] expected, double[] magnitude) = AvgReference(shape, x);
            float[] y = AvgForward(shape, x);
            for (int o = 0; o < y.Length; o++)
            {
                // k = window length additions then one division: |error| ≤ (k − 1)·u·Σ|x|/k + u·|mean|.
                double tolerance = ((shape.WindowLength - 1) * magnitude[o] + Math.Abs(expected[o])) * U * 1.01;
                Assert.True(Math.Abs(y[o] - expected[o]) <= tolerance, $"{shape}: y[{o}] = {y[o]}, expected {expected[o]}");
            }
        }
    }

    [DeviceFact]
    public void AvgPoolBackward_MatchesFloat64()
    {
        foreach (PoolShape shape in Shapes)
        {
            var rng = new Random(shape.GetHashCode() + 4);
            float[] dy = Uniform(rng, shape.OutputLength, -2, 3);
            (double[] expected, double[] magnitude) = AvgBackwardReference(shape, dy);
            DeviceBuffer dx = Up(Enumerable.Repeat(9f, shape.InputLength).ToArray());
            Device.AvgPoolBackward(shape, Up(dy), dx);
            float[] result = Read(dx);
            int covering = MaxCover(shape);
            for (int i = 0; i < result.Length; i++)
            {
                double tolerance = (Math.Max(covering - 1, 0) * magnitude[i] + Math.Abs(expected[i])) * U * 1.01;
                Assert.True(Math.Abs(result[i] - expected[i]) <= tolerance, $"{shape}: dx[{i}] = {result[i]}, expected {expected[i]}");
            }
        }
    }

    [DeviceFact]
    public void AvgPoolBackward_MatchesFiniteDifferences()
    {
        foreach (PoolShape shape in FiniteDifferenceShapes)
        {
            var rng = new Random(shape.GetHashCode() + 5);
            float[] x = Uniform(rng, shape.InputLength);
            float[] weights = Uniform(rng, shape.OutputLength);
            double[] fd = FiniteDifferences(x, xs => Dot(weights, AvgReference(shape, xs).Output), 1e-3);
            DeviceBuffer dx = Track(Device.Allocate(shape.InputLength));
            Device.AvgPoolBackward(shape, Up(weights), dx);
            float[] result = Read(dx);
            for (int i = 0; i < result.Length; i++)
            {
                // The forward is linear: central differences are exact up to float64 rounding of the sums.
                double tolerance = 1e-9 + (MaxCover(shape) + 1) * U * (Math.Abs(fd[i]) + MaxCover(shape) / (double)shape.WindowLength);
                Assert.True(Math.Abs(result[i] - fd[i]) <= tolerance, $"{shape}: dx[{i}] = {result[i]}, finite difference {fd[i]}");
            }
        }
    }

    [DeviceFact]
    public void Results_AgreeWithTheCpuDevice()
    {
        using var cpu = new CpuDevice(threads: 1);
        foreach (PoolShape shape in Shapes)
        {
            var rng = new Random(shape.GetHashCode() + 6);
            float[] x = Uniform(rng, shape.InputLength);
            float[] dy = Uniform(rng, shape.OutputLength);
            var (cy, cargmax, cdx, cavg, cavgDx) = RunAll(cpu, shape, x, dy);
            (float[] y, float[] argmax) = MaxForward(shape, x);
            // Max pooling is exact on every device; the averages share one summation order but may differ by a
            // division rounding or FMA-free compilation, so they are compared within their error bounds.
            Assert.Equal(cy, y);
            Assert.Equal(cargmax, argmax);
            AssertClose(cdx, MaxBackward(shape, x, dy), MaxCover(shape), shape);
            AssertClose(cavg, AvgForward(shape, x), shape.WindowLength, shape);
            DeviceBuffer dx = Track(Device.Allocate(shape.InputLength));
            Device.AvgPoolBackward(shape, Up(dy), dx);
            AssertClose(cavgDx, Read(dx), MaxCover(shape) + 1, shape);
        }
    }

    /// <summary>All four passes on <paramref name="device"/>; used by the agreement and thread-count tests.</summary>
    internal static (float[] Max, float[] Argmax, float[] MaxDx, float[] Avg, float[] AvgDx) RunAll(IPoolingDevice device, PoolShape shape, float[] x, float[] dy)
    {
        using DeviceBuffer input = device.Allocate(shape.InputLength);
        using DeviceBuffer output = device.Allocate(shape.OutputLength);
        using DeviceBuffer argmax = device.Allocate(shape.OutputLength);
        using DeviceBuffer gradient = device.Allocate(shape.OutputLength);
        using DeviceBuffer dx = device.Allocate(shape.InputLength);
        device.Upload(x, input);
        device.Upload(dy, gradient);
        device.MaxPoolForward(shape, input, output, argmax);
        device.MaxPoolBackward(shape, gradient, argmax, dx);
        float[] max = Download(device, output);
        float[] indices = Download(device, argmax);
        float[] maxDx = Download(device, dx);
        device.AvgPoolForward(shape, input, output);
        device.AvgPoolBackward(shape, gradient, dx);
        return (max, indices, maxDx, Download(device, output), Download(device, dx));
    }

    private static float[] Download(IDevice device, DeviceBuffer buffer)
    {
        var values = new float[buffer.Length];
        device.Download(buffer, values);
        return values;
    }

    private static void AssertClose(float[] expected, float[] actual, int terms, PoolShape shape)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // Both are within (terms + 1)·u·(magnitude) of the exact value; inputs are in [−1, 1).
            double tolerance = 2 * (terms + 1) * U * Math.Max(Math.Abs(expected[i]), 1.0) * terms;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{shape}: element {i} is {actual[i]}, the CPU device gives {expected[i]}");
        }
    }

    private (float[] Output, float[] Argmax) MaxForward(PoolShape shape, float[] x)
    {
        DeviceBuffer output = Up(Enumerable.Repeat(-99f, shape.OutputLength).ToArray());
        DeviceBuffer argmax = Up(Enumerable.Repeat(-99f, shape.OutputLength).ToArray());
        Device.MaxPoolForward(shape, Up(x), output, argmax);
        return (Read(output), Read(argmax));
    }

    private float[] MaxBackward(PoolShape shape, float[] x, float[] dy)
    {
        (_, float[] argmax) = MaxForward(shape, x);
        DeviceBuffer dx = Up(Enumerable.Repeat(3f, shape.InputLength).ToArray());
        Device.MaxPoolBackward(shape, Up(dy), Up(argmax), dx);
        return Read(dx);
    }

    private float[] AvgForward(PoolShape shape, float[] x)
    {
        DeviceBuffer output = Up(Enumerable.Repeat(-99f, shape.OutputLength).ToArray());
        Device.AvgPoolForward(shape, Up(x), output);
        return Read(output);
    }

    // ---- float64 references, written from the definitions ----

    /// <summary>Calls visit(plane, output index, top row, left column) for every window, in row-major output order.</summary>
    private static void ForEachWindow(PoolShape s, Action<int, int, int, int> visit)
    {
        for (int plane = 0; plane < s.Batch * s.Channels; plane++)
        {
            for (int oh = 0; oh < s.OutHeight; oh++)
            {
                for (int ow = 0; ow < s.OutWidth; ow++)
                {
                    visit(plane, (plane * s.OutHeight + oh) * s.OutWidth + ow, oh * s.Stride, ow * s.Stride);
                }
            }
        }
    }

    private static (double[] Output, int[] Argmax) MaxReference(PoolShape s, IReadOnlyList<double> x)
    {
        var output = new double[s.OutputLength];
        var argmax = new int[s.OutputLength];
        ForEachWindow(s, (plane, o, h0, w0) =>
        {
            double best = double.NegativeInfinity;
            int bestIndex = -1;
            for (int h = h0; h < h0 + s.WindowHeight; h++)
            {
                for (int w = w0; w < w0 + s.WindowWidth; w++)
                {
                    double v = x[plane * s.Height * s.Width + h * s.Width + w];
                    if (v > best)
                    {
                        best = v;
                        bestIndex = h * s.Width + w;
                    }
                }
            }
            output[o] = best;
            argmax[o] = bestIndex;
        });
        return (output, argmax);
    }

    private static (double[] Output, int[] Argmax) MaxReference(PoolShape s, float[] x) =>
        MaxReference(s, x.Select(v => (double)v).ToArray());

    /// <summary>Window means and the means of |x| (for error bounds).</summary>
    private static (double[] Output, double[] Magnitude) AvgReference(PoolShape s, IReadOnlyList<double> x)
    {
        var output = new double[s.OutputLength];
        var magnitude = new double[s.OutputLength];
        ForEachWindow(s, (plane, o, h0, w0) =>
        {
            double sum = 0, abs = 0;
            for (int h = h0; h < h0 + s.WindowHeight; h++)
            {
                for (int w = w0; w < w0 + s.WindowWidth; w++)
                {
                    double v = x[plane * s.Height * s.Width + h * s.Width + w];
                    sum += v;
                    abs += Math.Abs(v);
                }
            }
            output[o] = sum / s.WindowLength;
            magnitude[o] = abs / s.WindowLength;
        });
        return (output, magnitude);
    }

    private static (double[] Output, double[] Magnitude) AvgReference(PoolShape s, float[] x) =>
        AvgReference(s, x.Select(v => (double)v).ToArray());

    /// <summary>Σ over covering windows of dy / k, scattered from the windows; and Σ |dy| / k.</summary>
    private static (double[] Gradient, double[] Magnitude) AvgBackwardReference(PoolShape s, float[] dy)
    {
        var gradient = new double[s.InputLength];
        var magnitude = new double[s.InputLength];
        ForEachWindow(s, (plane, o, h0, w0) =>
        {
            for (int h = h0; h < h0 + s.WindowHeight; h++)
            {
                for (int w = w0; w < w0 + s.WindowWidth; w++)
                {
                    gradient[plane * s.Height * s.Width + h * s.Width + w] += (double)dy[o] / s.WindowLength;
                    magnitude[plane * s.Height * s.Width + h * s.Width + w] += Math.Abs((double)dy[o]) / s.WindowLength;
                }
            }
        });
        return (gradient, magnitude);
    }

    /// <summary>The most windows that can cover one input element.</summary>
    private static int MaxCover(PoolShape s) =>
        ((s.WindowHeight + s.Stride - 1) / s.Stride) * ((s.WindowWidth + s.Stride - 1) / s.Stride);

    private static double[] FiniteDifferences(float[] x, Func<double[], double> f, double step)
    {
        double[] point = x.Select(v => (double)v).ToArray();
        var gradient = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double original = point[i];
            point[i] = original + step;
            double plus = f(point);
            point[i] = original - step;
            double minus = f(point);
            point[i] = original;
            gradient[i] = (plus - minus) / (2 * step);
        }
        return gradient;
    }

    private static double Dot(float[] weights, double[] values)
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += weights[i] * values[i];
        }
        return sum;
    }

    private static float[] Ints(Random rng, int length, int distinct) =>
        Enumerable.Range(0, length).Select(_ => (float)rng.Next(distinct)).ToArray();

    private DeviceBuffer Track(DeviceBuffer buffer)
    {
        buffers.Add(buffer);
        return buffer;
    }

    private DeviceBuffer Up(float[] data)
    {
        DeviceBuffer buffer = Track(Device.Allocate(data.Length));
        Device.Upload(data, buffer);
        return buffer;
    }

    private float[] Read(DeviceBuffer buffer) => Download(Device, buffer);
}

/// <summary>The pooling suite on the native CPU device (two threads, partitioned even for small shapes), with larger
/// shapes (many planes, a row wider than the stack scratch) and the thread-count check.</summary>
public sealed class CpuPoolingConformanceTests : PoolingConformanceTests
{
    private readonly CpuDevice device = new(threads: 2) { ParallelThreshold = 0 };

    protected override IPoolingDevice Device => device;

    protected override IReadOnlyList<PoolShape> Shapes { get; } =
    [
        .. DefaultShapes,
        new(4, 8, 32, 40, 2, 2, 2),
        PoolShape.Global(2, 16, 28, 28),
        new(2, 4, 33, 67, 3, 3, 1),
        new(1, 2, 3, 2100, 2, 3, 1),
        new(1, 1, 4, 2101, 2, 2, 2),
    ];

    [DeviceFact]
    public void Results_AreBitIdenticalForOneAndTwoThreads()
    {
        using var one = new CpuDevice(threads: 1);
        using var two = new CpuDevice(threads: 2) { ParallelThreshold = 0 };
        foreach (PoolShape shape in Shapes)
        {
            var rng = new Random(shape.GetHashCode() + 7);
            float[] x = Uniform(rng, shape.InputLength);
            float[] dy = Uniform(rng, shape.OutputLength);
            var a = RunAll(one, shape, x, dy);
            var b = RunAll(two, shape, x, dy);
            Assert.Equal(a.Max.Select(Bits), b.Max.Select(Bits));
            Assert.Equal(a.Argmax.Select(Bits), b.Argmax.Select(Bits));
            Assert.Equal(a.MaxDx.Select(Bits), b.MaxDx.Select(Bits));
            Assert.Equal(a.Avg.Select(Bits), b.Avg.Select(Bits));
            Assert.Equal(a.AvgDx.Select(Bits), b.AvgDx.Select(Bits));
        }
    }

    protected override void DisposeDevice() => device.Dispose();
}

/// <summary>The pooling kernels on ILGPU's CPU accelerator.</summary>
public sealed class IlgpuCpuPoolingConformanceTests(IlgpuCpuDeviceFixture fixture)
    : PoolingConformanceTests, IClassFixture<IlgpuCpuDeviceFixture>
{
    protected override IPoolingDevice Device => (IPoolingDevice)fixture.Device;
}

/// <summary>The pooling kernels on a real CUDA GPU (COND_CUDA_TESTS=1), with larger shapes too.</summary>
[CudaRequired]
public sealed class CudaPoolingConformanceTests(CudaDeviceFixture fixture)
    : PoolingConformanceTests, IClassFixture<CudaDeviceFixture>
{
    protected override IPoolingDevice Device => (IPoolingDevice)fixture.Device;
}
