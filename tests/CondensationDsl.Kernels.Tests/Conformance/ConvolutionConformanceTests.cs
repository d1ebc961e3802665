using System.Diagnostics;
using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using Xunit.Abstractions;
using static CondensationDsl.Kernels.Tests.Support.Float32;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>
/// <see cref="IConvolutionDevice"/> against a float64 reference computed here by direct loops, against central finite
/// differences of the float64 forward pass, and against the CPU device. Written once; each device subclasses it.
/// Tolerances are a-priori float32 bounds: any order of adding m float32 products (with or without FMA) is within
/// γ_m ≈ m·u·Σ|terms| of the exact sum; each test says which m.
/// </summary>
public abstract class ConvolutionConformanceTests : IDisposable
{
    private readonly List<DeviceBuffer> buffers = [];

    protected abstract IConvolutionDevice Device { get; }

    /// <summary>Shapes: odd sizes, stride 1 and 2, padding 0/1/2, kernels 1×1, 3×3, 5×3 and 3×2, several channels and
    /// filters, batch 1 and 3. Subclasses for fast devices add larger ones.</summary>
    protected virtual IReadOnlyList<ConvShape> Shapes { get; } =
    [
        new(1, 1, 5, 5, 1, 1, 1, 1, 0),
        new(3, 2, 7, 6, 3, 3, 3, 1, 1),
        new(1, 3, 9, 7, 4, 5, 3, 2, 2),
        new(3, 2, 8, 5, 2, 3, 3, 2, 0),
        new(1, 1, 4, 4, 2, 5, 3, 1, 2),
        new(3, 4, 5, 5, 5, 1, 1, 2, 1),
        new(3, 2, 6, 7, 3, 3, 2, 2, 1),
    ];

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
    public void Forward_MatchesFloat64()
    {
        var rng = new Random(11);
        foreach (ConvShape shape in Shapes)
        {
            foreach (bool withBias in new[] { true, false })
            {
                Inputs inputs = Inputs.Random(rng, shape);
                float[]? bias = withBias ? inputs.Bias : null;
                float[] got = RunForward(Device, shape, inputs.X, inputs.W, bias);
                ReferenceResult expected = ReferenceConvolution(shape, inputs.X, inputs.W, bias, inputs.Dy);
                // m = C·R·S products plus the bias.
                AssertAllClose(expected.Y, expected.YMagnitude, got, shape.PatchLength + 1, $"forward {shape} bias={withBias}");
            }
        }
    }

    [DeviceFact]
    public void Backward_MatchesFloat64()
    {
        var rng = new Random(12);
        foreach (ConvShape shape in Shapes)
        {
            foreach ((bool withBias, bool withInput) in new[] { (true, true), (false, true), (true, false), (false, false) })
            {
                Inputs inputs = Inputs.Random(rng, shape);
                Gradients got = RunBackward(Device, shape, inputs, withBias, withInput);
                ReferenceResult expected = ReferenceConvolution(shape, inputs.X, inputs.W, inputs.Bias, inputs.Dy);
                string what = $"backward {shape} bias={withBias} input={withInput}";
                // dW and db: N·P·Q products; dX: at most K·R·S products.
                AssertAllClose(expected.Dw, expected.DwMagnitude, got.Dw, shape.Batch * shape.OutPositions, what + " dW");
                if (withBias)
                {
                    AssertAllClose(expected.Db, expected.DbMagnitude, got.Db!, shape.Batch * shape.OutPositions, what + " db");
                }
                if (withInput)
                {
                    AssertAllClose(expected.Dx, expected.DxMagnitude, got.Dx!, shape.Filters * shape.KernelHeight * shape.KernelWidth, what + " dX");
                }
            }
        }
    }

    [DeviceFact]
    public void Gradients_MatchFiniteDifferencesOfTheFloat64Forward()
    {
        // L = Σ G ∘ conv(x, w, b) for a fixed random G, so dL/dY = G. L is linear in every single parameter, so the
        // central difference is exact up to float64 rounding: the only error left is the device's float32 rounding.
        foreach (ConvShape shape in new ConvShape[] { new(2, 2, 5, 4, 3, 3, 2, 2, 1), new(1, 2, 4, 5, 2, 3, 3, 1, 1) })
        {
            Inputs inputs = Inputs.Random(new Random(13), shape);
            Gradients got = RunBackward(Device, shape, inputs, withBias: true, withInput: true);
            double[] x = [.. inputs.X.Select(v => (double)v)];
            double[] w = [.. inputs.W.Select(v => (double)v)];
            double[] b = [.. inputs.Bias.Select(v => (double)v)];
            double Loss()
            {
                double[] y = ForwardFloat64(shape, x, w, b);
                double sum = 0;
                for (int i = 0; i < y.Length; i++)
                {
                    sum += y[i] * inputs.Dy[i];
                }
                return sum;
            }

            ReferenceResult bounds = ReferenceConvolution(shape, inputs.X, inputs.W, inputs.Bias, inputs.Dy);
            const double h = 1.0 / 64;
            double Difference(double[] parameters, int i)
            {
                double saved = parameters[i];
                parameters[i] = saved + h;
                double plus = Loss();
                parameters[i] = saved - h;
                double minus = Loss();
                parameters[i] = saved;
                return (plus - minus) / (2 * h);
            }

            void Check(double[] parameters, float[] gradient, double[] magnitude, int terms, string name)
            {
                Assert.Equal(parameters.Length, gradient.Length);
                for (int i = 0; i < parameters.Length; i++)
                {
                    double fd = Difference(parameters, i);
                    // The device's γ_m bound plus the float64 rounding of the two losses divided by 2h.
                    double tolerance = (terms + 2) * U * magnitude[i] + 1e-12;
                    AssertClose(fd, gradient[i], tolerance, $"finite differences {shape} {name}[{i}]");
                }
            }

            Check(w, got.Dw, bounds.DwMagnitude, shape.Batch * shape.OutPositions, "dW");
            Check(b, got.Db!, bounds.DbMagnitude, shape.Batch * shape.OutPositions, "db");
            Check(x, got.Dx!, bounds.DxMagnitude, shape.Filters * shape.KernelHeight * shape.KernelWidth, "dX");
        }
    }

    [DeviceFact]
    public void AgreesWithTheCpuDevice()
    {
        // Both devices are within γ_m·Σ|terms| of the exact value, so they are within twice that of each other.
        using var cpu = new CpuDevice(threads: 2);
        var rng = new Random(14);
        foreach (ConvShape shape in Shapes)
        {
            Inputs inputs = Inputs.Random(rng, shape);
            ReferenceResult bounds = ReferenceConvolution(shape, inputs.X, inputs.W, inputs.Bias, inputs.Dy);
            float[] y = RunForward(Device, shape, inputs.X, inputs.W, inputs.Bias);
            float[] yCpu = RunForward(cpu, shape, inputs.X, inputs.W, inputs.Bias);
            Gradients g = RunBackward(Device, shape, inputs, withBias: true, withInput: true);
            Gradients gCpu = RunBackward(cpu, shape, inputs, withBias: true, withInput: true);
            int batchTerms = shape.Batch * shape.OutPositions;
            AssertAllClose(Widen(yCpu), bounds.YMagnitude, y, 2 * (shape.PatchLength + 1), $"vs cpu {shape} forward");
            AssertAllClose(Widen(gCpu.Dw), bounds.DwMagnitude, g.Dw, 2 * batchTerms, $"vs cpu {shape} dW");
            AssertAllClose(Widen(gCpu.Db!), bounds.DbMagnitude, g.Db!, 2 * batchTerms, $"vs cpu {shape} db");
            AssertAllClose(Widen(gCpu.Dx!), bounds.DxMagnitude, g.Dx!, 2 * shape.Filters * shape.KernelHeight * shape.KernelWidth, $"vs cpu {shape} dX");
        }
    }

    [DeviceFact]
    public void Reruns_AreBitIdentical()
    {
        ConvShape shape = Shapes[^1];
        Inputs inputs = Inputs.Random(new Random(15), shape);
        float[] Run()
        {
            Gradients g = RunBackward(Device, shape, inputs, withBias: true, withInput: true);
            return [.. RunForward(Device, shape, inputs.X, inputs.W, inputs.Bias), .. g.Dw, .. g.Db!, .. g.Dx!];
        }
        Assert.Equal(Run().Select(Bits), Run().Select(Bits));
    }

    [DeviceFact]
    public void ShortBuffersAndBadShapes_AreRejected()
    {
        var shape = new ConvShape(2, 1, 4, 4, 3, 3, 3, 1, 1);
        DeviceBuffer x = Track(Device.Allocate(shape.InputLength));
        DeviceBuffer w = Track(Device.Allocate(shape.WeightLength));
        DeviceBuffer y = Track(Device.Allocate(shape.OutputLength));
        DeviceBuffer shortOutput = Track(Device.Allocate(shape.OutputLength - 1));
        DeviceBuffer shortWeight = Track(Device.Allocate(shape.WeightLength - 1));
        Assert.Contains("output", Assert.Throws<ArgumentException>(() => Device.Conv2dForward(shape, x, w, null, shortOutput)).Message);
        Assert.Contains("weightGradient", Assert.Throws<ArgumentException>(() => Device.Conv2dBackward(shape, x, w, y, shortWeight, null, null)).Message);
        Assert.Contains("Stride", Assert.Throws<ArgumentException>(() => Device.Conv2dForward(shape with { Stride = 0 }, x, w, null, y)).Message);
    }

    // ---- running a device ----

    protected sealed record Inputs(float[] X, float[] W, float[] Bias, float[] Dy)
    {
        public static Inputs Random(Random rng, ConvShape shape) =>
            new(Uniform(rng, shape.InputLength), Uniform(rng, shape.WeightLength), Uniform(rng, shape.BiasLength), Uniform(rng, shape.OutputLength));
    }

    protected sealed record Gradients(float[] Dw, float[]? Db, float[]? Dx);

    private float[] RunForward(IConvolutionDevice device, ConvShape shape, float[] x, float[] w, float[]? bias)
    {
        DeviceBuffer output = Poisoned(device, shape.OutputLength);
        device.Conv2dForward(shape, Up(device, x), Up(device, w), bias is null ? null : Up(device, bias), output);
        return Read(device, output);
    }

    private Gradients RunBackward(IConvolutionDevice device, ConvShape shape, Inputs inputs, bool withBias, bool withInput)
    {
        // Gradient buffers start as NaN: the operation must overwrite, not accumulate.
        DeviceBuffer dw = Poisoned(device, shape.WeightLength);
        DeviceBuffer? db = withBias ? Poisoned(device, shape.BiasLength) : null;
        DeviceBuffer? dx = withInput ? Poisoned(device, shape.InputLength) : null;
        device.Conv2dBackward(shape, Up(device, inputs.X), Up(device, inputs.W), Up(device, inputs.Dy), dw, db, dx);
        return new Gradients(Read(device, dw), db is null ? null : Read(device, db), dx is null ? null : Read(device, dx));
    }

    private DeviceBuffer Poisoned(IDevice device, int length)
    {
        DeviceBuffer buffer = Track(device.Allocate(length));
        device.Fill(buffer, float.NaN);
        return buffer;
    }

    protected DeviceBuffer Track(DeviceBuffer buffer)
    {
        buffers.Add(buffer);
        return buffer;
    }

    private DeviceBuffer Up(IDevice device, float[] data)
    {
        DeviceBuffer buffer = Track(device.Allocate(data.Length));
        device.Upload(data, buffer);
        return buffer;
    }

    private static float[] Read(IDevice device, DeviceBuffer buffer)
    {
        var values = new float[buffer.Length];
        device.Download(buffer, values);
        return values;
    }

    // ---- the float64 reference ----

    protected sealed record ReferenceResult(
        double[] Y, double[] YMagnitude, double[] Dw, double[] DwMagnitude, double[] Db, double[] DbMagnitude, double[] Dx, double[] DxMagnitude);

    /// <summary>The forward pass and all three gradients (for dL/dY = <paramref name="dy"/>) by direct loops over every
    /// (n, k, p, q, c, r, s) term inside the input, with Σ|term| for each result (the scale of its rounding error).</summary>
    protected static ReferenceResult ReferenceConvolution(ConvShape s, float[] x, float[] w, float[]? bias, float[] dy)
    {
        int P = s.OutHeight, Q = s.OutWidth;
        var y = new double[s.OutputLength];
        var yMag = new double[s.OutputLength];
        var dw = new double[s.WeightLength];
        var dwMag = new double[s.WeightLength];
        var db = new double[s.Filters];
        var dbMag = new double[s.Filters];
        var dx = new double[s.InputLength];
        var dxMag = new double[s.InputLength];
        for (int n = 0; n < s.Batch; n++)
        {
            for (int k = 0; k < s.Filters; k++)
            {
                for (int p = 0; p < P; p++)
                {
                    for (int q = 0; q < Q; q++)
                    {
                        int o = ((n * s.Filters + k) * P + p) * Q + q;
                        double g = dy[o];
                        double sum = bias is null ? 0 : bias[k];
                        double mag = Math.Abs(sum);
                        db[k] += g;
                        dbMag[k] += Math.Abs(g);
                        for (int c = 0; c < s.Channels; c++)
                        {
                            for (int r = 0; r < s.KernelHeight; r++)
                            {
                                int ih = p * s.Stride + r - s.Padding;
                                for (int t = 0; t < s.KernelWidth; t++)
                                {
                                    int iw = q * s.Stride + t - s.Padding;
                                    if (ih < 0 || ih >= s.Height || iw < 0 || iw >= s.Width)
                                    {
                                        continue;
                                    }
                                    int xi = ((n * s.Channels + c) * s.Height + ih) * s.Width + iw;
                                    int wi = ((k * s.Channels + c) * s.KernelHeight + r) * s.KernelWidth + t;
                                    double term = (double)w[wi] * x[xi];
                                    sum += term;
                                    mag += Math.Abs(term);
                                    dw[wi] += g * x[xi];
                                    dwMag[wi] += Math.Abs(g * x[xi]);
                                    dx[xi] += g * w[wi];
                                    dxMag[xi] += Math.Abs(g * w[wi]);
                                }
                            }
                        }
                        y[o] = sum;
                        yMag[o] = mag;
                    }
                }
            }
        }
        return new ReferenceResult(y, yMag, dw, dwMag, db, dbMag, dx, dxMag);
    }

    /// <summary>The forward pass alone in float64, written from the definition (for finite differences).</summary>
    private static double[] ForwardFloat64(ConvShape s, double[] x, double[] w, double[] b)
    {
        var y = new double[s.OutputLength];
        for (int n = 0; n < s.Batch; n++)
        for (int k = 0; k < s.Filters; k++)
        for (int p = 0; p < s.OutHeight; p++)
        for (int q = 0; q < s.OutWidth; q++)
        {
            double sum = b[k];
            for (int c = 0; c < s.Channels; c++)
            for (int r = 0; r < s.KernelHeight; r++)
            for (int t = 0; t < s.KernelWidth; t++)
            {
                int ih = p * s.Stride + r - s.Padding, iw = q * s.Stride + t - s.Padding;
                if (ih >= 0 && ih < s.Height && iw >= 0 && iw < s.Width)
                {
                    sum += w[((k * s.Channels + c) * s.KernelHeight + r) * s.KernelWidth + t] * x[((n * s.Channels + c) * s.Height + ih) * s.Width + iw];
                }
            }
            y[((n * s.Filters + k) * s.OutHeight + p) * s.OutWidth + q] = sum;
        }
        return y;
    }

    private static double[] Widen(float[] values) => [.. values.Select(v => (double)v)];

    /// <summary>Every element within (m + 2)·u·Σ|terms| (γ_m plus two roundings of slack) of the expected value.</summary>
    protected static void AssertAllClose(double[] expected, double[] magnitude, float[] got, int terms, string what)
    {
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], got[i], (terms + 2) * U * magnitude[i] + 1e-30, $"{what} [{i}]");
        }
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        double error = Math.Abs(actual - expected);
        if (!(error <= tolerance))
        {
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (error {error:E3} > tolerance {tolerance:E3})");
        }
    }
}

/// <summary>The native CPU device (two threads): larger shapes cross its vector widths, dW blocks and the chunking of
/// the column buffer; plus bit-identity across thread counts and a timing of the W2 layer.</summary>
public sealed class CpuConvolutionConformanceTests : ConvolutionConformanceTests
{
    private readonly CpuDevice device = new(threads: 2) { ParallelThreshold = 0 };

    protected override IConvolutionDevice Device => device;

    protected override IReadOnlyList<ConvShape> Shapes { get; } =
    [
        new(1, 1, 5, 5, 1, 1, 1, 1, 0),
        new(3, 2, 7, 6, 3, 3, 3, 1, 1),
        new(1, 3, 9, 7, 4, 5, 3, 2, 2),
        new(3, 2, 8, 5, 2, 3, 3, 2, 0),
        new(1, 1, 4, 4, 2, 5, 3, 1, 2),
        new(3, 4, 5, 5, 5, 1, 1, 2, 1),
        new(3, 3, 17, 19, 9, 3, 3, 1, 1),
        new(4, 1, 28, 28, 32, 3, 3, 1, 1),
        new(3, 5, 13, 11, 7, 5, 3, 2, 2),
        new(3, 2, 6, 7, 3, 3, 2, 2, 1),
    ];

    protected override void DisposeDevice() => device.Dispose();

    [Fact]
    public void ResultsAreBitIdenticalForOneTwoAndThreeThreads()
    {
        // ParallelThreshold = 0 makes every operation split its work, however small. The last shape's columns
        // exceed the column budget, so the backward pass runs in several chunks of images.
        ConvShape[] shapes = [new(3, 3, 17, 19, 9, 3, 3, 1, 1), new(5, 1, 28, 28, 32, 3, 3, 1, 1), new(3, 5, 13, 11, 7, 5, 3, 2, 2), new(9, 16, 64, 64, 2, 3, 3, 1, 1)];
        Assert.True(shapes[^1].PatchLength * shapes[^1].OutPositions * shapes[^1].Batch > ConvolutionJobBudget);
        foreach (ConvShape shape in shapes)
        {
            Inputs inputs = Inputs.Random(new Random(21), shape);
            int[]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                using var cpu = new CpuDevice(threads) { ParallelThreshold = 0 };
                int[] bits = [.. RunAll(cpu, shape, inputs).Select(Bits)];
                if (first is null)
                {
                    first = bits;
                }
                else
                {
                    Assert.True(first.SequenceEqual(bits), $"{shape}: {threads} threads differ from 1 thread");
                }
            }
        }
    }

    [Fact]
    public void ChunkedBackward_MatchesFloat64()
    {
        // Columns of 9 images × 144 × 4096 floats exceed the 2^22-float budget: the backward pass runs in chunks.
        var shape = new ConvShape(9, 16, 64, 64, 2, 3, 3, 1, 1);
        Inputs inputs = Inputs.Random(new Random(22), shape);
        float[] all = RunAll(device, shape, inputs);
        ReferenceResult expected = ReferenceConvolution(shape, inputs.X, inputs.W, inputs.Bias, inputs.Dy);
        int o = shape.OutputLength, wl = shape.WeightLength, k = shape.Filters;
        AssertAllClose(expected.Y, expected.YMagnitude, all[..o], shape.PatchLength + 1, "chunked forward");
        AssertAllClose(expected.Dw, expected.DwMagnitude, all[o..(o + wl)], shape.Batch * shape.OutPositions, "chunked dW");
        AssertAllClose(expected.Db, expected.DbMagnitude, all[(o + wl)..(o + wl + k)], shape.Batch * shape.OutPositions, "chunked db");
        AssertAllClose(expected.Dx, expected.DxMagnitude, all[(o + wl + k)..], shape.Filters * 9, "chunked dX");
    }

    private const long ConvolutionJobBudget = 1 << 22;

    private float[] RunAll(CpuDevice cpu, ConvShape shape, Inputs inputs)
    {
        DeviceBuffer x = Track(cpu.Allocate(shape.InputLength)), w = Track(cpu.Allocate(shape.WeightLength)), b = Track(cpu.Allocate(shape.BiasLength));
        DeviceBuffer y = Track(cpu.Allocate(shape.OutputLength)), dy = Track(cpu.Allocate(shape.OutputLength));
        DeviceBuffer dw = Track(cpu.Allocate(shape.WeightLength)), db = Track(cpu.Allocate(shape.BiasLength)), dx = Track(cpu.Allocate(shape.InputLength));
        cpu.Upload(inputs.X, x);
        cpu.Upload(inputs.W, w);
        cpu.Upload(inputs.Bias, b);
        cpu.Upload(inputs.Dy, dy);
        cpu.Conv2dForward(shape, x, w, b, y);
        cpu.Conv2dBackward(shape, x, w, dy, dw, db, dx);
        float[] Get(DeviceBuffer buffer)
        {
            var values = new float[buffer.Length];
            cpu.Download(buffer, values);
            return values;
        }
        return [.. Get(y), .. Get(dw), .. Get(db), .. Get(dx)];
    }
}

/// <summary>Runs a timing only when COND_CONV_TIMING=1; otherwise it is reported as skipped.</summary>
public sealed class ConvTimingRequestedAttribute : DeviceRequirementAttribute
{
    public override string? SkipReason() =>
        Environment.GetEnvironmentVariable("COND_CONV_TIMING") == "1" ? null : "set COND_CONV_TIMING=1 to time the W2 convolution layer";
}

/// <summary>Timings of the CPU convolution; they measure, they do not check.</summary>
[ConvTimingRequested]
public sealed class CpuConvolutionTimings(ITestOutputHelper output)
{
    /// <summary>Forward + backward of the W2 benchmark's first layer (batch 128, 1×28×28 → 32 filters 3×3, pad 1) on two
    /// threads, median of 21 repetitions after 3 warm-ups. Skipped by default: it measures, it does not check.
    /// Run with COND_CONV_TIMING=1 dotnet test tests/CondensationDsl.Kernels.Tests -c Release --filter Conv2dTiming --logger "console;verbosity=detailed".</summary>
    [DeviceFact]
    public void Conv2dTiming_W2Layer()
    {
        var shape = new ConvShape(128, 1, 28, 28, 32, 3, 3, 1, 1);
        using var cpu = new CpuDevice(threads: 2);
        var rng = new Random(23);
        float[] Random(int n) => Uniform(rng, n);
        using DeviceBuffer x = cpu.Allocate(shape.InputLength), w = cpu.Allocate(shape.WeightLength), b = cpu.Allocate(shape.BiasLength);
        using DeviceBuffer y = cpu.Allocate(shape.OutputLength), dy = cpu.Allocate(shape.OutputLength);
        using DeviceBuffer dw = cpu.Allocate(shape.WeightLength), db = cpu.Allocate(shape.BiasLength), dx = cpu.Allocate(shape.InputLength);
        cpu.Upload(Random(shape.InputLength), x);
        cpu.Upload(Random(shape.WeightLength), w);
        cpu.Upload(Random(shape.BiasLength), b);
        cpu.Upload(Random(shape.OutputLength), dy);
        foreach (bool withInputGradient in new[] { false, true })
        {
            var forward = new List<double>();
            var backward = new List<double>();
            for (int i = 0; i < 24; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                cpu.Conv2dForward(shape, x, w, b, y);
                long t1 = Stopwatch.GetTimestamp();
                cpu.Conv2dBackward(shape, x, w, dy, dw, db, withInputGradient ? dx : null);
                long t2 = Stopwatch.GetTimestamp();
                if (i >= 3)
                {
                    forward.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                    backward.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
                }
            }
            double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
            double total = Median([.. forward.Zip(backward, (f, g) => f + g)]);
            output.WriteLine($"{cpu.Name}, {shape}, dX={withInputGradient}: forward {Median(forward):F2} ms, backward {Median(backward):F2} ms, forward+backward {total:F2} ms (median of {forward.Count})");
        }
    }

}

/// <summary>The convolution kernels on ILGPU's CPU accelerator (a slow simulator: the default small shapes).</summary>
public sealed class IlgpuCpuConvolutionConformanceTests(IlgpuCpuDeviceFixture fixture)
    : ConvolutionConformanceTests, IClassFixture<IlgpuCpuDeviceFixture>
{
    protected override IConvolutionDevice Device => (IConvolutionDevice)fixture.Device;
}

/// <summary>The convolution kernels on a real CUDA GPU (COND_CUDA_TESTS=1), with a W2-sized layer added.</summary>
[CudaRequired]
public sealed class CudaConvolutionConformanceTests(CudaDeviceFixture fixture)
    : ConvolutionConformanceTests, IClassFixture<CudaDeviceFixture>
{
    protected override IConvolutionDevice Device => (IConvolutionDevice)fixture.Device;

    protected override IReadOnlyList<ConvShape> Shapes { get; } =
    [
        new(1, 1, 5, 5, 1, 1, 1, 1, 0),
        new(3, 2, 7, 6, 3, 3, 3, 1, 1),
        new(1, 3, 9, 7, 4, 5, 3, 2, 2),
        new(3, 2, 8, 5, 2, 3, 3, 2, 0),
        new(1, 1, 4, 4, 2, 5, 3, 1, 2),
        new(3, 4, 5, 5, 5, 1, 1, 2, 1),
        new(4, 1, 28, 28, 32, 3, 3, 1, 1),
        new(3, 2, 6, 7, 3, 3, 2, 2, 1),
    ];
}

/// <summary><see cref="ConvShape"/>'s sizes and its validation messages.</summary>
public sealed class ConvShapeTests
{
    [Fact]
    public void Sizes_FollowTheFormulas()
    {
        var shape = new ConvShape(3, 2, 9, 8, 4, 5, 3, 2, 2);
        Assert.Equal(5, shape.OutHeight);  // (9 + 4 − 5) / 2 + 1, exact
        Assert.Equal(5, shape.OutWidth);   // ⌊(8 + 4 − 3) / 2⌋ + 1
        Assert.Equal(3 * 2 * 9 * 8, shape.InputLength);
        Assert.Equal(4 * 2 * 5 * 3, shape.WeightLength);
        Assert.Equal(4, shape.BiasLength);
        Assert.Equal(3 * 4 * 5 * 5, shape.OutputLength);
        Assert.Equal(2 * 5 * 3, shape.PatchLength);
        Assert.Equal(25, shape.OutPositions);
        shape.Validate();
    }

    public static TheoryData<ConvShape, string> BadShapes() => new()
    {
        { new(0, 1, 4, 4, 1, 3, 3, 1, 0), "Batch must be positive, got 0" },
        { new(1, -1, 4, 4, 1, 3, 3, 1, 0), "Channels must be positive, got -1" },
        { new(1, 1, 0, 4, 1, 3, 3, 1, 0), "Height must be positive" },
        { new(1, 1, 4, 0, 1, 3, 3, 1, 0), "Width must be positive" },
        { new(1, 1, 4, 4, 0, 3, 3, 1, 0), "Filters must be positive" },
        { new(1, 1, 4, 4, 1, 0, 3, 1, 0), "KernelHeight must be positive" },
        { new(1, 1, 4, 4, 1, 3, 0, 1, 0), "KernelWidth must be positive" },
        { new(1, 1, 4, 4, 1, 3, 3, 0, 0), "Stride must be positive" },
        { new(1, 1, 4, 4, 1, 3, 3, 1, -1), "Padding must be zero or positive, got -1" },
        // 5 rows of kernel over 4 + 0 padded rows: (4 − 5) / 2 + 1 would truncate to 1, so this must be caught apart.
        { new(1, 1, 4, 4, 1, 5, 3, 2, 0), "the 5×3 kernel does not fit the padded 4×4 input" },
        { new(1, 1, 4, 4, 1, 3, 7, 1, 1), "the 3×7 kernel does not fit the padded 6×6 input" },
        { new(65536, 256, 256, 256, 1, 1, 1, 1, 0), "would exceed" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void Validate_RejectsBadShapes_WithAClearMessage(ConvShape shape, string message)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(shape.Validate);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Validate_AcceptsAKernelThatExactlyFitsThePaddedInput()
    {
        var shape = new ConvShape(1, 1, 1, 1, 1, 3, 3, 1, 1);
        shape.Validate();
        Assert.Equal(1, shape.OutHeight);
        Assert.Equal(1, shape.OutWidth);
    }
}
