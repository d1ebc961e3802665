using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using static CondensationDsl.Kernels.Tests.Support.Float32;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>
/// <see cref="ICrossEntropyDevice"/> against a float64 softmax cross-entropy written here, central finite differences of
/// it, extreme and equal logits, invalid labels, hand-counted accuracy and the CPU device. Each device subclasses it.
/// </summary>
public abstract class CrossEntropyConformanceTests : IDisposable
{
    private readonly List<DeviceBuffer> buffers = [];

    protected abstract ICrossEntropyDevice Device { get; }

    /// <summary>(rows, classes): a single class, odd sizes, a classification batch, more classes than one vector.</summary>
    protected virtual IReadOnlyList<(int Rows, int Classes)> Shapes => DefaultShapes;

    protected static IReadOnlyList<(int Rows, int Classes)> DefaultShapes { get; } =
        [(1, 1), (1, 2), (3, 10), (7, 3), (33, 17), (64, 10), (5, 100)];

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
    public void LossAndGradient_MatchFloat64()
    {
        foreach ((int rows, int classes) in Shapes)
        {
            var rng = new Random(rows * 1000 + classes);
            float[] logits = Uniform(rng, rows * classes, -5, 5);
            float[] labels = Labels(rng, rows, classes);
            (double loss, float[] gradient) = Run(logits, labels, rows, classes);
            (double expected, double[] expectedGradient) = Reference(logits, labels, rows, classes);
            // Per row: x − m is rounded (relative error u, |x − m| ≤ 10 here), exp costs a few ulps, S a float
            // accumulation of `classes` terms on some devices; log S is then off by ≤ (classes + 10 + 8)·u.
            double tolerance = (classes + 18) * U + 4 * U * Math.Abs(expected);
            Assert.True(Math.Abs(loss - expected) <= tolerance, $"{rows}×{classes}: loss {loss}, expected {expected}");
            for (int i = 0; i < gradient.Length; i++)
            {
                // softmax within (classes + 18)·u relatively, then two float roundings and the subtraction of 1/rows.
                double p = expectedGradient[i] * rows + (labels[i / classes] == i % classes ? 1 : 0);
                double bound = ((classes + 22) * U * p + 2 * U) / rows;
                Assert.True(Math.Abs(gradient[i] - expectedGradient[i]) <= bound,
                    $"{rows}×{classes}: gradient[{i}] = {gradient[i]}, expected {expectedGradient[i]}");
            }
        }
    }

    [DeviceFact]
    public void Gradient_MatchesFiniteDifferences()
    {
        foreach ((int rows, int classes) in Shapes.Where(s => s.Rows * s.Classes <= 2000))
        {
            var rng = new Random(rows * 1000 + classes + 1);
            float[] logits = Uniform(rng, rows * classes, -3, 3);
            float[] labels = Labels(rng, rows, classes);
            (_, float[] gradient) = Run(logits, labels, rows, classes);
            double[] point = logits.Select(v => (double)v).ToArray();
            const double step = 1e-4;
            for (int i = 0; i < point.Length; i++)
            {
                double original = point[i];
                point[i] = original + step;
                double plus = Reference(point, labels, rows, classes).Loss;
                point[i] = original - step;
                double minus = Reference(point, labels, rows, classes).Loss;
                point[i] = original;
                double fd = (plus - minus) / (2 * step);
                // Truncation ≤ step²/6·|f'''| ≤ 1e-8/rows; the float gradient is within ~(classes + 22)·u/rows.
                double tolerance = (1e-8 + (classes + 22) * U) / rows + 1e-11;
                Assert.True(Math.Abs(gradient[i] - fd) <= tolerance, $"{rows}×{classes}: gradient[{i}] = {gradient[i]}, finite difference {fd}");
            }
        }
    }

    [DeviceFact]
    public void ExtremeLogits_DoNotOverflow()
    {
        // ±1e4: exp(1e4) overflows any float, a softmax without the max subtracted gives NaN or ∞.
        float[] logits = [1e4f, -1e4f, 0f, -1e4f, 1e4f, 1e4f, 0f, 0f, -1e4f, 1e4f, -1e4f, 9999f];
        float[] labels = [0, 1, 2, 1];
        const int rows = 4, classes = 3;
        (double loss, float[] gradient) = Run(logits, labels, rows, classes);
        (double expected, double[] expectedGradient) = Reference(logits, labels, rows, classes);
        // Row losses: 0, log 2, 1e4 + log 2, 2e4 + log(1 + e^-1); exact to the float64 rounding of their sum.
        Assert.True(double.IsFinite(loss));
        Assert.True(Math.Abs(loss - expected) <= 16 * U + 1e-12 * expected, $"loss {loss}, expected {expected}");
        Assert.True(Math.Abs(expected - (0 + Math.Log(2) + 1e4 + Math.Log(2) + 2e4 + Math.Log(1 + Math.Exp(-1))) / 4) < 1e-9);
        for (int i = 0; i < gradient.Length; i++)
        {
            Assert.True(float.IsFinite(gradient[i]));
            Assert.True(Math.Abs(gradient[i] - expectedGradient[i]) <= 16 * U / rows, $"gradient[{i}] = {gradient[i]}, expected {expectedGradient[i]}");
        }
    }

    [DeviceFact]
    public void EqualLogits_GiveLogClasses()
    {
        foreach (int classes in new[] { 1, 2, 3, 10, 1000 })
        {
            foreach (float value in new[] { 0f, 3.7f, -1e4f, 1e4f })
            {
                const int rows = 2;
                float[] logits = Enumerable.Repeat(value, rows * classes).ToArray();
                float[] labels = [0, classes - 1];
                (double loss, float[] gradient) = Run(logits, labels, rows, classes);
                // exp(0) = 1 exactly, S = classes exactly (float sums of ones are exact below 2^24).
                Assert.True(Math.Abs(loss - Math.Log(classes)) <= 4 * U * Math.Log(classes) + 1e-15, $"{classes} classes of {value}: loss {loss}");
                for (int i = 0; i < gradient.Length; i++)
                {
                    double expected = (1.0 / classes - (labels[i / classes] == i % classes ? 1 : 0)) / rows;
                    Assert.True(Math.Abs(gradient[i] - expected) <= 4 * U / rows, $"{classes} classes: gradient[{i}] = {gradient[i]}, expected {expected}");
                }
            }
        }
    }

    [DeviceFact]
    public void InvalidLabels_Throw_AndLeaveTheGradientAlone()
    {
        const int rows = 3, classes = 4;
        DeviceBuffer logits = Up(Uniform(new Random(5), rows * classes));
        foreach (float bad in new[] { -1f, 4f, 1.5f, float.NaN, -0.5f, float.PositiveInfinity, 1e9f })
        {
            DeviceBuffer labels = Up([0, bad, 2]);
            DeviceBuffer gradient = Up(Enumerable.Repeat(7f, rows * classes).ToArray());
            Assert.Throws<ArgumentException>(() => Device.SoftmaxCrossEntropy(logits, labels, gradient, rows, classes));
            Assert.Throws<ArgumentException>(() => Device.CountCorrect(logits, labels, rows, classes));
            Assert.All(Read(gradient), v => Assert.Equal(7f, v));
        }
        DeviceBuffer good = Up([0, 3, 2]);
        DeviceBuffer g = Up(new float[rows * classes]);
        Assert.Throws<ArgumentException>(() => Device.SoftmaxCrossEntropy(logits, good, g, 0, classes));
        Assert.Throws<ArgumentException>(() => Device.SoftmaxCrossEntropy(logits, good, g, rows, 0));
        Assert.Throws<ArgumentException>(() => Device.SoftmaxCrossEntropy(logits, good, g, rows + 1, classes));
        Assert.Throws<ArgumentException>(() => Device.CountCorrect(logits, good, rows, classes + 1));
        Assert.True(double.IsFinite(Device.SoftmaxCrossEntropy(logits, good, g, rows, classes)));
    }

    [DeviceFact]
    public void CountCorrect_MatchesAHandCount()
    {
        // Row by row: argmax 2 (label 2: right), argmax 0 (label 1: wrong), a tie of 0 and 1 goes to 0 (label 0: right),
        // the same tie with label 1 (wrong), all equal → class 0 (label 0: right), negative logits with argmax 1 (right).
        float[] logits = [0.1f, 0.2f, 0.9f, 3f, 2f, 1f, 5f, 5f, 1f, 5f, 5f, 1f, 2f, 2f, 2f, -3f, -1f, -2f];
        float[] labels = [2, 1, 0, 1, 0, 1];
        DeviceBuffer x = Up(logits);
        Assert.Equal(4, Device.CountCorrect(x, Up(labels), 6, 3));
        Assert.Equal(1, Device.CountCorrect(x, Up(labels), 2, 3));
        Assert.Equal(0, Device.CountCorrect(x, Up([0f, 1f, 1f, 1f, 1f, 0f]), 6, 3));
        Assert.Equal(6, Device.CountCorrect(x, Up([2f, 0f, 0f, 0f, 0f, 1f]), 6, 3));
    }

    [DeviceFact]
    public void Results_AgreeWithTheCpuDevice()
    {
        using var cpu = new CpuDevice(threads: 1);
        foreach ((int rows, int classes) in Shapes)
        {
            var rng = new Random(rows * 1000 + classes + 2);
            float[] logits = Uniform(rng, rows * classes, -8, 8);
            float[] labels = Labels(rng, rows, classes);
            (double expectedLoss, float[] expectedGradient, int expectedCorrect) = RunAll(cpu, logits, labels, rows, classes);
            (double loss, float[] gradient, int correct) = RunAll(Device, logits, labels, rows, classes);
            Assert.Equal(expectedCorrect, correct);
            Assert.True(Math.Abs(loss - expectedLoss) <= 2 * (classes + 24) * U * (1 + Math.Abs(expectedLoss)), $"{rows}×{classes}: loss {loss}, CPU {expectedLoss}");
            for (int i = 0; i < gradient.Length; i++)
            {
                Assert.True(Math.Abs(gradient[i] - expectedGradient[i]) <= 2 * (classes + 24) * U / rows,
                    $"{rows}×{classes}: gradient[{i}] = {gradient[i]}, CPU {expectedGradient[i]}");
            }
        }
    }

    /// <summary>Loss, gradient and correct count on <paramref name="device"/>.</summary>
    internal static (double Loss, float[] Gradient, int Correct) RunAll(ICrossEntropyDevice device, float[] logits, float[] labels, int rows, int classes)
    {
        using DeviceBuffer x = device.Allocate(logits.Length);
        using DeviceBuffer t = device.Allocate(labels.Length);
        using DeviceBuffer g = device.Allocate(logits.Length);
        device.Upload(logits, x);
        device.Upload(labels, t);
        double loss = device.SoftmaxCrossEntropy(x, t, g, rows, classes);
        var gradient = new float[logits.Length];
        device.Download(g, gradient);
        return (loss, gradient, device.CountCorrect(x, t, rows, classes));
    }

    internal static float[] Labels(Random rng, int rows, int classes) =>
        Enumerable.Range(0, rows).Select(_ => (float)rng.Next(classes)).ToArray();

    private (double Loss, float[] Gradient) Run(float[] logits, float[] labels, int rows, int classes)
    {
        DeviceBuffer gradient = Up(Enumerable.Repeat(-7f, rows * classes).ToArray());
        double loss = Device.SoftmaxCrossEntropy(Up(logits), Up(labels), gradient, rows, classes);
        return (loss, Read(gradient));
    }

    /// <summary>Mean softmax cross-entropy and its gradient in float64, from the definition with the row max subtracted.</summary>
    private static (double Loss, double[] Gradient) Reference(IReadOnlyList<double> logits, float[] labels, int rows, int classes)
    {
        double total = 0;
        var gradient = new double[rows * classes];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                max = Math.Max(max, logits[r * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                sum += Math.Exp(logits[r * classes + c] - max);
            }
            int label = (int)labels[r];
            total += Math.Log(sum) + max - logits[r * classes + label];
            for (int c = 0; c < classes; c++)
            {
                gradient[r * classes + c] = (Math.Exp(logits[r * classes + c] - max) / sum - (c == label ? 1 : 0)) / rows;
            }
        }
        return (total / rows, gradient);
    }

    private static (double Loss, double[] Gradient) Reference(float[] logits, float[] labels, int rows, int classes) =>
        Reference(logits.Select(v => (double)v).ToArray(), labels, rows, classes);

    private DeviceBuffer Up(float[] data)
    {
        DeviceBuffer buffer = Device.Allocate(data.Length);
        buffers.Add(buffer);
        Device.Upload(data, buffer);
        return buffer;
    }

    private float[] Read(DeviceBuffer buffer)
    {
        var values = new float[buffer.Length];
        Device.Download(buffer, values);
        return values;
    }
}

/// <summary>The cross-entropy suite on the native CPU device (two threads, partitioned even for small batches), with
/// larger shapes and the thread-count check.</summary>
public sealed class CpuCrossEntropyConformanceTests : CrossEntropyConformanceTests
{
    private readonly CpuDevice device = new(threads: 2) { ParallelThreshold = 0 };

    protected override ICrossEntropyDevice Device => device;

    protected override IReadOnlyList<(int Rows, int Classes)> Shapes { get; } = [.. DefaultShapes, (256, 10), (3, 1001), (1000, 7)];

    [DeviceFact]
    public void Results_AreBitIdenticalForOneAndTwoThreads()
    {
        using var one = new CpuDevice(threads: 1);
        using var two = new CpuDevice(threads: 2) { ParallelThreshold = 0 };
        foreach ((int rows, int classes) in Shapes)
        {
            var rng = new Random(rows * 1000 + classes + 3);
            float[] logits = Uniform(rng, rows * classes, -8, 8);
            float[] labels = Labels(rng, rows, classes);
            var a = RunAll(one, logits, labels, rows, classes);
            var b = RunAll(two, logits, labels, rows, classes);
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.Loss), BitConverter.DoubleToInt64Bits(b.Loss));
            Assert.Equal(a.Gradient.Select(Bits), b.Gradient.Select(Bits));
            Assert.Equal(a.Correct, b.Correct);
        }
    }

    protected override void DisposeDevice() => device.Dispose();
}

/// <summary>The cross-entropy kernels on ILGPU's CPU accelerator.</summary>
public sealed class IlgpuCpuCrossEntropyConformanceTests(IlgpuCpuDeviceFixture fixture)
    : CrossEntropyConformanceTests, IClassFixture<IlgpuCpuDeviceFixture>
{
    protected override ICrossEntropyDevice Device => (ICrossEntropyDevice)fixture.Device;
}

/// <summary>The cross-entropy kernels on a real CUDA GPU (COND_CUDA_TESTS=1).</summary>
[CudaRequired]
public sealed class CudaCrossEntropyConformanceTests(CudaDeviceFixture fixture)
    : CrossEntropyConformanceTests, IClassFixture<CudaDeviceFixture>
{
    protected override ICrossEntropyDevice Device => (ICrossEntropyDevice)fixture.Device;
}
