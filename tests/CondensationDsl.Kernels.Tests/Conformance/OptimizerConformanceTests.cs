using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using static CondensationDsl.Kernels.Tests.Support.Float32;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>
/// <see cref="IOptimizerDevice"/> against float64 references of torch.optim.SGD (weight decay, momentum, Nesterov),
/// Adam with L2 and AdamW over several steps with a learning rate that changes between steps (a schedule), against the
/// CPU device, and bit for bit against the plain <see cref="IDevice.GradientDescentStep"/> and
/// <see cref="IDevice.AdamStep"/> at the default options. Written once; each device subclasses it.
/// </summary>
public abstract class OptimizerConformanceTests : IDisposable
{
    private const int Steps = 5;

    private readonly List<DeviceBuffer> buffers = [];

    protected abstract IOptimizerDevice Device { get; }

    /// <summary>Lengths crossing the CPU's 8-float vectors and their tails and its 16-float part alignment.</summary>
    protected virtual IReadOnlyList<int> Lengths { get; } = [1, 7, 8, 9, 33, 1000, 4099];

    /// <summary>SGD settings (μ, λ, Nesterov): decay only, heavy-ball momentum with and without decay, Nesterov with and
    /// without decay.</summary>
    private static readonly (float Momentum, float Decay, bool Nesterov)[] SgdSettings =
        [(0f, 0.01f, false), (0.9f, 0f, false), (0.9f, 0.01f, false), (0.5f, 0.05f, true), (0.9f, 0f, true)];

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
    public void Sgd_MatchesFloat64OverSeveralSteps()
    {
        foreach ((float momentum, float decay, bool nesterov) in SgdSettings)
        {
            var rng = new Random(11);
            foreach (int n in Lengths)
            {
                float[] p0 = Uniform(rng, n);
                float[][] gradients = [.. Enumerable.Range(0, Steps).Select(_ => Uniform(rng, n))];
                (float[] gotP, float[] gotV) = RunSgd(Device, p0, gradients, momentum, decay, nesterov);

                double[] p = [.. p0.Select(x => (double)x)];
                var v = new double[n];
                for (int step = 0; step < Steps; step++)
                {
                    double lr = (float)LearningRate(step);
                    for (int i = 0; i < n; i++)
                    {
                        // torch.optim.SGD, dampening 0.
                        double d = gradients[step][i] + (double)decay * p[i];
                        if (momentum != 0)
                        {
                            v[i] = step == 0 ? d : momentum * v[i] + d;
                            d = nesterov ? d + momentum * v[i] : v[i];
                        }
                        p[i] -= lr * d;
                    }
                }

                string what = $"sgd μ={momentum} λ={decay} nesterov={nesterov} n={n}";
                for (int i = 0; i < n; i++)
                {
                    // |g|, |θ| ≤ ~1 and |v| ≤ Σμᵏ(1 + λ) < 10: each step rounds d, v and the update a few times (≤ 4u
                    // relative each on terms below 10); those errors are carried on through v and θ over the steps.
                    double tolerance = Steps * Steps * 4 * U * 10 * (LearningRate(0) * 2) + Steps * 4 * U * (Math.Abs(p[i]) + 1);
                    AssertClose(p[i], gotP[i], tolerance, $"{what} θ at {i}");
                    if (momentum != 0)
                    {
                        AssertClose(v[i], gotV[i], Steps * Steps * 4 * U * 10, $"{what} v at {i}");
                    }
                }
            }
        }
    }

    [DeviceFact]
    public void Adam_WithL2OrDecoupledDecay_MatchesFloat64OverSeveralSteps()
    {
        foreach (bool decoupled in new[] { false, true })
        {
            var rng = new Random(12);
            const float rate = 0.1f;
            foreach (int n in Lengths)
            {
                float[] p0 = Uniform(rng, n);
                // |g| in [0.1, 1] with random sign keeps √v̂ within 10× of |m̂|, as in the plain Adam test; L2's λθ (≤ 0.1)
                // can cancel part of g, so with L2 the gradient stays in [0.2, 1] in magnitude.
                float[][] gradients =
                [
                    .. Enumerable.Range(0, Steps).Select(_ =>
                        Uniform(rng, n, 0.2, 1).Select(x => rng.Next(2) == 0 ? x : -x).ToArray()),
                ];
                var hyper = new AdamStepParameters(0, 0.9f, 0.999f, 1e-8f, 0);
                (float[] gotP, float[] gotM, float[] gotV) = RunAdam(Device, p0, gradients, hyper, new AdamWeightDecay(rate, decoupled));

                double[] p = [.. p0.Select(x => (double)x)];
                double[] m = new double[n], v = new double[n];
                double b1 = hyper.Beta1, b2 = hyper.Beta2;
                for (int step = 1; step <= Steps; step++)
                {
                    double lr = (float)LearningRate(step - 1);
                    for (int i = 0; i < n; i++)
                    {
                        double g = gradients[step - 1][i];
                        if (decoupled)
                        {
                            p[i] *= 1 - lr * rate;       // torch.optim.AdamW
                        }
                        else
                        {
                            g += rate * p[i];            // torch.optim.Adam(weight_decay = λ)
                        }
                        m[i] = b1 * m[i] + (1 - b1) * g;
                        v[i] = b2 * v[i] + (1 - b2) * g * g;
                        double mHat = m[i] / (1 - Math.Pow(b1, step));
                        double vHat = v[i] / (1 - Math.Pow(b2, step));
                        p[i] -= lr * mHat / (Math.Sqrt(vHat) + hyper.Epsilon);
                    }
                }

                string what = $"adam decoupled={decoupled} n={n}";
                for (int i = 0; i < n; i++)
                {
                    // As the plain Adam test (moment errors amplified ≤ 10× by m̂/√v̂, ~10 roundings per update), with the
                    // gradient's extra rounding and θ's extra product for the decay.
                    AssertClose(m[i], gotM[i], Steps * 5 * U * 1.1, $"{what} m at {i}");
                    AssertClose(v[i], gotV[i], Steps * 5 * U * 1.3, $"{what} v at {i}");
                    double tolerance = Steps * (LearningRate(0) * 10 * 10 * (12 + 5 * Steps) * U + 3 * U * (Math.Abs(p[i]) + 1));
                    AssertClose(p[i], gotP[i], tolerance, $"{what} θ at {i}");
                }
            }
        }
    }

    [DeviceFact]
    public void DefaultOptions_AreBitIdenticalToThePlainKernels()
    {
        var rng = new Random(13);
        foreach (int n in Lengths)
        {
            float[] p0 = Uniform(rng, n);
            float[][] gradients = [.. Enumerable.Range(0, Steps).Select(_ => Uniform(rng, n))];

            DeviceBuffer plain = Up(p0), viaSgd = Up(p0), gradient = Track(Device.Allocate(n));
            float[] garbage = [.. Enumerable.Repeat(7f, n)];
            DeviceBuffer velocity = Up(garbage);
            for (int step = 0; step < Steps; step++)
            {
                Device.Upload(gradients[step], gradient);
                float lr = (float)LearningRate(step);
                Device.GradientDescentStep(plain, gradient, lr, n);
                Device.SgdStep(viaSgd, gradient, velocity, new SgdStepParameters(lr, 0, 0, false, step == 0), n);
            }
            Assert.Equal(Read(plain).Select(Bits), Read(viaSgd).Select(Bits));
            Assert.Equal(garbage.Select(Bits), Read(velocity).Select(Bits));

            var hyper = new AdamStepParameters(0, 0.9f, 0.999f, 1e-8f, 0);
            DeviceBuffer adamPlain = Up(p0), adamDecay = Up(p0);
            DeviceBuffer m1 = Track(Device.Allocate(n)), v1 = Track(Device.Allocate(n));
            DeviceBuffer m2 = Track(Device.Allocate(n)), v2 = Track(Device.Allocate(n));
            for (int step = 1; step <= Steps; step++)
            {
                Device.Upload(gradients[step - 1], gradient);
                AdamStepParameters h = hyper with { LearningRate = (float)LearningRate(step - 1), Step = step };
                Device.AdamStep(adamPlain, gradient, m1, v1, h, n);
                Device.AdamStep(adamDecay, gradient, m2, v2, h, new AdamWeightDecay(0, Decoupled: step % 2 == 0), n);
            }
            Assert.Equal(Read(adamPlain).Select(Bits), Read(adamDecay).Select(Bits));
            Assert.Equal(Read(m1).Select(Bits), Read(m2).Select(Bits));
            Assert.Equal(Read(v1).Select(Bits), Read(v2).Select(Bits));
        }
    }

    [DeviceFact]
    public void Updates_AgreeWithTheCpuDevice()
    {
        using var cpu = new CpuDevice(threads: 1);
        var rng = new Random(14);
        foreach (int n in Lengths)
        {
            float[] p0 = Uniform(rng, n);
            float[][] gradients = [.. Enumerable.Range(0, Steps).Select(_ => Uniform(rng, n, 0.2, 1))];
            foreach ((float momentum, float decay, bool nesterov) in new[] { (0f, 0.01f, false), (0.9f, 0.01f, false), (0.9f, 0.01f, true) })
            {
                (float[] expected, _) = RunSgd(cpu, p0, gradients, momentum, decay, nesterov);
                (float[] got, _) = RunSgd(Device, p0, gradients, momentum, decay, nesterov);
                // Both are within the float64 test's bound of the exact values.
                AssertAllClose(expected, got, 2 * (Steps * Steps * 4 * U * 10 * 0.2 + Steps * 4 * U * 2), $"sgd μ={momentum} nesterov={nesterov} n={n}");
            }
            foreach (bool decoupled in new[] { false, true })
            {
                var hyper = new AdamStepParameters(0, 0.9f, 0.999f, 1e-8f, 0);
                (float[] expected, _, _) = RunAdam(cpu, p0, gradients, hyper, new AdamWeightDecay(0.1f, decoupled));
                (float[] got, _, _) = RunAdam(Device, p0, gradients, hyper, new AdamWeightDecay(0.1f, decoupled));
                AssertAllClose(expected, got, 2 * Steps * (0.1 * 10 * 10 * (12 + 5 * Steps) * U + 3 * U * 2), $"adam decoupled={decoupled} n={n}");
            }
        }
    }

    [DeviceFact]
    public void MissingVelocityAndShortBuffers_Throw()
    {
        DeviceBuffer p = Track(Device.Allocate(10)), g = Track(Device.Allocate(10)), shortBuffer = Track(Device.Allocate(3));
        Assert.Throws<ArgumentNullException>(() => Device.SgdStep(p, g, null, new SgdStepParameters(0.1f, 0.9f, 0, false, true), 10));
        Assert.Throws<ArgumentException>(() => Device.SgdStep(p, g, shortBuffer, new SgdStepParameters(0.1f, 0.9f, 0, false, true), 10));
        Assert.Throws<ArgumentException>(() => Device.SgdStep(p, shortBuffer, null, new SgdStepParameters(0.1f, 0, 0.1f, false, true), 10));
        Assert.Throws<ArgumentException>(() => Device.AdamStep(
            p, g, shortBuffer, g, new AdamStepParameters(0.1f, 0.9f, 0.999f, 1e-8f, 1), new AdamWeightDecay(0.1f, true), 10));
        // Momentum 0 needs no velocity; nothing throws.
        Device.SgdStep(p, g, null, new SgdStepParameters(0.1f, 0, 0.1f, false, true), 10);
    }

    /// <summary>The learning rate of each step: it changes between steps, as a schedule makes it.</summary>
    protected static double LearningRate(int step) => 0.05 * (1 + Math.Cos(Math.PI * step / Steps)) / 2 + 0.01;

    /// <summary><see cref="Steps"/> SGD updates from <paramref name="p0"/>; the velocity starts as garbage (the first step
    /// must overwrite it). Returns θ and v.</summary>
    protected (float[] Parameter, float[] Velocity) RunSgd(
        IOptimizerDevice device, float[] p0, float[][] gradients, float momentum, float decay, bool nesterov)
    {
        int n = p0.Length;
        using DeviceBuffer parameter = Upload(device, p0);
        using DeviceBuffer velocity = Upload(device, [.. Enumerable.Repeat(123f, n)]);
        using DeviceBuffer gradient = device.Allocate(n);
        for (int step = 0; step < gradients.Length; step++)
        {
            device.Upload(gradients[step], gradient);
            device.SgdStep(parameter, gradient, velocity, new SgdStepParameters((float)LearningRate(step), momentum, decay, nesterov, step == 0), n);
        }
        return (Download(device, parameter), Download(device, velocity));
    }

    /// <summary><see cref="Steps"/> Adam updates from <paramref name="p0"/> with the scheduled learning rate. Returns θ, m and v.</summary>
    protected (float[] Parameter, float[] First, float[] Second) RunAdam(
        IOptimizerDevice device, float[] p0, float[][] gradients, AdamStepParameters hyper, AdamWeightDecay decay)
    {
        int n = p0.Length;
        using DeviceBuffer parameter = Upload(device, p0);
        using DeviceBuffer first = device.Allocate(n), second = device.Allocate(n), gradient = device.Allocate(n);
        for (int step = 1; step <= gradients.Length; step++)
        {
            device.Upload(gradients[step - 1], gradient);
            device.AdamStep(parameter, gradient, first, second, hyper with { LearningRate = (float)LearningRate(step - 1), Step = step }, decay, n);
        }
        return (Download(device, parameter), Download(device, first), Download(device, second));
    }

    private static DeviceBuffer Upload(IDevice device, float[] data)
    {
        DeviceBuffer buffer = device.Allocate(data.Length);
        device.Upload(data, buffer);
        return buffer;
    }

    private static float[] Download(IDevice device, DeviceBuffer buffer)
    {
        var values = new float[buffer.Length];
        device.Download(buffer, values);
        return values;
    }

    private DeviceBuffer Track(DeviceBuffer buffer)
    {
        buffers.Add(buffer);
        return buffer;
    }

    private DeviceBuffer Up(float[] data) => Track(Upload(Device, data));

    private float[] Read(DeviceBuffer buffer) => Download(Device, buffer);

    private static void AssertAllClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], actual[i], tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what} at {i} (vs the CPU device)");
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

/// <summary>The optimizer suite on the native CPU device (two threads, partitioned even for small lengths), plus
/// bit-identity across thread counts.</summary>
public sealed class CpuOptimizerConformanceTests : OptimizerConformanceTests
{
    private readonly CpuDevice device = new(threads: 2) { ParallelThreshold = 0 };

    protected override IOptimizerDevice Device => device;

    [DeviceFact]
    public void Results_AreBitIdenticalForOneAndTwoThreads()
    {
        using var one = new CpuDevice(threads: 1);
        var rng = new Random(15);
        foreach (int n in Lengths)
        {
            float[] p0 = Uniform(rng, n);
            float[][] gradients = [.. Enumerable.Range(0, 3).Select(_ => Uniform(rng, n))];
            var a = RunSgd(one, p0, gradients, 0.9f, 0.01f, true);
            var b = RunSgd(device, p0, gradients, 0.9f, 0.01f, true);
            Assert.Equal(a.Parameter.Select(Bits), b.Parameter.Select(Bits));
            Assert.Equal(a.Velocity.Select(Bits), b.Velocity.Select(Bits));
            var hyper = new AdamStepParameters(0, 0.9f, 0.999f, 1e-8f, 0);
            var c = RunAdam(one, p0, gradients, hyper, new AdamWeightDecay(0.1f, true));
            var d = RunAdam(device, p0, gradients, hyper, new AdamWeightDecay(0.1f, true));
            Assert.Equal(c.Parameter.Select(Bits), d.Parameter.Select(Bits));
        }
    }

    protected override void DisposeDevice() => device.Dispose();
}

/// <summary>The optimizer kernels on ILGPU's CPU accelerator.</summary>
public sealed class IlgpuCpuOptimizerConformanceTests(IlgpuCpuDeviceFixture fixture)
    : OptimizerConformanceTests, IClassFixture<IlgpuCpuDeviceFixture>
{
    protected override IOptimizerDevice Device => (IOptimizerDevice)fixture.Device;
}

/// <summary>The optimizer kernels on a real CUDA GPU (COND_CUDA_TESTS=1), with a length of many thread groups too.</summary>
[CudaRequired]
public sealed class CudaOptimizerConformanceTests(CudaDeviceFixture fixture)
    : OptimizerConformanceTests, IClassFixture<CudaDeviceFixture>
{
    protected override IOptimizerDevice Device => (IOptimizerDevice)fixture.Device;

    protected override IReadOnlyList<int> Lengths { get; } = [1, 7, 9, 33, 1000, 4099, 100_003];
}
