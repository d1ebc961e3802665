using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using static CondensationDsl.Kernels.Tests.Support.Float32;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>
/// <see cref="IBatchNormDevice"/> and <see cref="IResidualDevice"/> against float64 references written here (training and
/// evaluation forward, running statistics, backward), against central finite differences of the float64 training
/// forward (the float32 kernels' analytic gradient of Σ y·r), and against the CPU device. Written once; each device
/// subclasses it.
/// <para>Tolerances: every per-channel reduction adds N = Batch·Spatial terms; whatever the order (the CPU device sums in
/// float64, the ILGPU kernels in float32 partial sums merged in a fixed order), its error is within T·u·Σ|terms| with
/// T = N + 8, the textbook bound for N float32 additions plus a few roundings of slack. Each check derives its bound from
/// that: the mean within T·u·mean|x|, the variance within T·u·mean(x²) (what a one-pass variance loses), and so on.</para>
/// </summary>
public abstract class BatchNormConformanceTests : IDisposable
{
    private const float Momentum = 0.1f;
    private const float Epsilon = 1e-5f;

    private readonly List<DeviceBuffer> buffers = [];

    protected abstract IBatchNormDevice Device { get; }

    /// <summary>Dense shapes (Spatial = 1) with fewer, exactly and more than 8 channels (the CPU's channel blocks), the
    /// smallest training batch (N = 2), and planes shorter than, equal to and longer than one 8-float vector.</summary>
    protected virtual IReadOnlyList<BatchNormShape> Shapes => DefaultShapes;

    protected static IReadOnlyList<BatchNormShape> DefaultShapes { get; } =
    [
        new(2, 1, 1),
        new(5, 3, 1),
        new(7, 8, 1),
        new(4, 19, 1),
        new(3, 2, 9),
        new(2, 3, 16),
        new(1, 4, 5),
        new(3, 5, 4),
        new(2, 2, 49),
    ];

    /// <summary>Central differences cost two float64 forward passes per input: the shapes up to 120 values.</summary>
    private IEnumerable<BatchNormShape> FiniteDifferenceShapes => Shapes.Where(s => s.Length <= 120);

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
    public void BatchNormShape_DerivesLengths()
    {
        var shape = new BatchNormShape(3, 4, 5);
        Assert.Equal(15, shape.PerChannel);
        Assert.Equal(60, shape.Length);
        Assert.Equal(0.1f, BatchNormShape.DefaultMomentum);
        Assert.Equal(1e-5f, BatchNormShape.DefaultEpsilon);
    }

    [DeviceFact]
    public void BatchNorm_InvalidShapesParametersAndShortBuffers_Throw()
    {
        DeviceBuffer big = Track(Device.Allocate(1000));
        DeviceBuffer small = Track(Device.Allocate(2));
        foreach (BatchNormShape invalid in new BatchNormShape[] { new(0, 1, 1), new(1, 0, 1), new(2, 2, 0), new(50_000, 50_000, 2) })
        {
            Assert.Throws<ArgumentException>(() => invalid.Validate());
            Assert.Throws<ArgumentException>(() => Device.BatchNormForwardInference(invalid, big, big, big, big, big, big));
            Assert.Throws<ArgumentException>(() => Device.BatchNormBackward(invalid, big, big, big, big, big, big, big, big));
        }

        // One value per channel: the unbiased variance is undefined, so training refuses it; evaluation does not.
        var single = new BatchNormShape(1, 3, 1);
        Assert.Throws<ArgumentException>(() => Device.BatchNormForwardTraining(single, big, big, big, big, big, big, big, big));
        Device.BatchNormForwardInference(single, big, big, big, big, Up([1f, 1f, 1f]), big);

        var shape = new BatchNormShape(2, 3, 4);
        Assert.Throws<ArgumentException>(() => Device.BatchNormForwardTraining(shape, big, big, big, big, big, big, big, big, momentum: 1.5f));
        Assert.Throws<ArgumentException>(() => Device.BatchNormForwardTraining(shape, big, big, big, big, big, big, big, big, epsilon: 0f));
        Assert.Throws<ArgumentException>(() => Device.BatchNormForwardInference(shape, big, big, big, big, big, big, epsilon: float.NaN));

        DeviceBuffer output = Up(Enumerable.Repeat(7f, 24).ToArray());
        Assert.Throws<ArgumentException>(() => Device.BatchNormForwardTraining(shape, small, big, big, output, big, big, big, big));
        Assert.Throws<ArgumentException>(() => Device.BatchNormForwardTraining(shape, big, small, big, output, big, big, big, big));
        Assert.Throws<ArgumentException>(() => Device.BatchNormForwardTraining(shape, big, big, big, output, big, big, big, small));
        Assert.Throws<ArgumentException>(() => Device.BatchNormForwardInference(shape, big, big, big, small, big, output));
        Assert.Throws<ArgumentException>(() => Device.BatchNormBackward(shape, big, big, big, big, big, small, big, big));
        Assert.Throws<ArgumentException>(() => Device.BatchNormBackward(shape, big, big, big, big, big, big, big, small));
        Assert.All(Read(output), v => Assert.Equal(7f, v)); // nothing written before the checks failed
    }

    [DeviceFact]
    public void BatchNormForwardTraining_MatchesFloat64()
    {
        foreach (BatchNormShape shape in Shapes)
        {
            Inputs inputs = Inputs.Random(new Random(Seed(shape, 1)), shape);
            Outputs got = RunAll(Device, shape, inputs);
            Statistics stats = Statistics.Of(shape, inputs.X);
            double[] expected = ForwardReference(shape, Widen(inputs.X), Widen(inputs.Gamma), Widen(inputs.Beta), Epsilon);
            double t = Terms(shape) * U;
            for (int c = 0; c < shape.Channels; c++)
            {
                double invstd = 1 / Math.Sqrt(stats.Variance[c] + Epsilon);
                AssertClose(stats.Mean[c], got.Mean[c], 2 * t * stats.MeanAbs[c] + 1e-30, $"{shape}: mean[{c}]");
                AssertClose(invstd, got.InverseStd[c], invstd * (VarianceError(shape, stats, c) + 4 * U), $"{shape}: invstd[{c}]");
            }
            ForEach(shape, (i, c) =>
            {
                double scale = Math.Abs(inputs.Gamma[c]) / Math.Sqrt(stats.Variance[c] + Epsilon);
                double centered = Math.Abs(inputs.X[i] - stats.Mean[c]);
                double bound = scale * (centered * (VarianceError(shape, stats, c) + 6 * U) + 2 * t * stats.MeanAbs[c])
                    + 4 * U * Math.Abs(expected[i]) + 2 * U * Math.Abs(inputs.Beta[c]);
                AssertClose(expected[i], got.Y[i], bound, $"{shape}: y[{i}]");
            });
        }
    }

    [DeviceFact]
    public void BatchNormForwardTraining_UpdatesRunningStatisticsAsPyTorch()
    {
        foreach (BatchNormShape shape in Shapes)
        {
            Inputs inputs = Inputs.Random(new Random(Seed(shape, 2)), shape);
            Statistics stats = Statistics.Of(shape, inputs.X);
            DeviceBuffer rm = Up(inputs.RunningMean);
            DeviceBuffer rv = Up(inputs.RunningVariance);
            double[] expectedMean = Widen(inputs.RunningMean);
            double[] expectedVariance = Widen(inputs.RunningVariance);
            double n = shape.PerChannel;
            // Three steps with the same batch and two momenta, one of them the interface's default (0.1).
            foreach (float? momentum in new float?[] { null, 0.25f, null })
            {
                DeviceBuffer x = Up(inputs.X);
                DeviceBuffer scratch = Track(Device.Allocate(shape.Length));
                DeviceBuffer mean = Track(Device.Allocate(shape.Channels));
                DeviceBuffer invstd = Track(Device.Allocate(shape.Channels));
                if (momentum is { } m)
                {
                    Device.BatchNormForwardTraining(shape, x, Up(inputs.Gamma), Up(inputs.Beta), scratch, mean, invstd, rm, rv, m, Epsilon);
                }
                else
                {
                    Device.BatchNormForwardTraining(shape, x, Up(inputs.Gamma), Up(inputs.Beta), scratch, mean, invstd, rm, rv);
                }
                double w = momentum ?? 0.1;
                float[] gotMean = Read(rm);
                float[] gotVariance = Read(rv);
                for (int c = 0; c < shape.Channels; c++)
                {
                    double unbiased = stats.Variance[c] * n / (n - 1);
                    double meanBound = (1 - w) * Math.Abs(expectedMean[c]) * 4 * U + w * 2 * Terms(shape) * U * stats.MeanAbs[c] + 2 * U * Math.Abs(expectedMean[c]);
                    double varianceBound = (1 - w) * Math.Abs(expectedVariance[c]) * 4 * U + w * unbiased * (VarianceError(shape, stats, c) + 4 * U)
                        + 2 * U * Math.Abs(expectedVariance[c]);
                    expectedMean[c] = (1 - w) * expectedMean[c] + w * stats.Mean[c];
                    expectedVariance[c] = (1 - w) * expectedVariance[c] + w * unbiased;
                    AssertClose(expectedMean[c], gotMean[c], meanBound + 4 * U * Math.Abs(expectedMean[c]), $"{shape}: running mean[{c}]");
                    AssertClose(expectedVariance[c], gotVariance[c], varianceBound + 4 * U * Math.Abs(expectedVariance[c]), $"{shape}: running variance[{c}]");
                    // The device's values go on as the next step's old ones (so errors do not compound in the check).
                    expectedMean[c] = gotMean[c];
                    expectedVariance[c] = gotVariance[c];
                }
            }
        }
    }

    [DeviceFact]
    public void BatchNormForwardInference_MatchesFloat64()
    {
        foreach (BatchNormShape shape in Shapes)
        {
            Inputs inputs = Inputs.Random(new Random(Seed(shape, 3)), shape);
            foreach (float epsilon in new[] { Epsilon, 0.5f })
            {
                DeviceBuffer y = Track(Device.Allocate(shape.Length));
                if (epsilon == Epsilon)
                {
                    Device.BatchNormForwardInference(shape, Up(inputs.X), Up(inputs.Gamma), Up(inputs.Beta), Up(inputs.RunningMean), Up(inputs.RunningVariance), y);
                }
                else
                {
                    Device.BatchNormForwardInference(shape, Up(inputs.X), Up(inputs.Gamma), Up(inputs.Beta), Up(inputs.RunningMean), Up(inputs.RunningVariance), y, epsilon);
                }
                float[] got = Read(y);
                ForEach(shape, (i, c) =>
                {
                    double scale = inputs.Gamma[c] / Math.Sqrt(inputs.RunningVariance[c] + (double)epsilon);
                    double centered = inputs.X[i] - (double)inputs.RunningMean[c];
                    double expected = centered * scale + inputs.Beta[c];
                    // x − m, the sum rv + ε, √, 1/√, γ·, ·, + β: a few roundings each of relative size u (√ halves one).
                    double bound = 8 * U * (Math.Abs(centered * scale) + Math.Abs(expected)) + 2 * U * Math.Abs(inputs.Beta[c]);
                    AssertClose(expected, got[i], bound, $"{shape} ε={epsilon}: y[{i}]");
                });
            }
        }
    }

    [DeviceFact]
    public void BatchNormForward_InPlace_GivesTheSameBits()
    {
        foreach (BatchNormShape shape in Shapes)
        {
            Inputs inputs = Inputs.Random(new Random(Seed(shape, 4)), shape);
            Outputs separate = RunAll(Device, shape, inputs);
            DeviceBuffer x = Up(inputs.X);
            Device.BatchNormForwardTraining(
                shape, x, Up(inputs.Gamma), Up(inputs.Beta), x, Track(Device.Allocate(shape.Channels)), Track(Device.Allocate(shape.Channels)),
                Up(inputs.RunningMean), Up(inputs.RunningVariance), Momentum, Epsilon);
            Assert.Equal(separate.Y.Select(Bits), Read(x).Select(Bits));
            DeviceBuffer z = Up(inputs.X);
            Device.BatchNormForwardInference(shape, z, Up(inputs.Gamma), Up(inputs.Beta), Up(inputs.RunningMean), Up(inputs.RunningVariance), z, Epsilon);
            Assert.Equal(separate.Inference.Select(Bits), Read(z).Select(Bits));
        }
    }

    [DeviceFact]
    public void BatchNormBackward_MatchesFloat64()
    {
        foreach (BatchNormShape shape in Shapes)
        {
            Inputs inputs = Inputs.Random(new Random(Seed(shape, 5)), shape);
            Outputs got = RunAll(Device, shape, inputs);
            // The backward pass is defined from the saved statistics: the reference takes the device's (float) ones as exact.
            Gradients expected = BackwardReference(shape, Widen(inputs.Dy), Widen(inputs.X), Widen(inputs.Gamma), Widen(got.Mean), Widen(got.InverseStd));
            double t = Terms(shape) * U;
            for (int c = 0; c < shape.Channels; c++)
            {
                AssertClose(expected.Beta[c], got.BetaGradient[c], 2 * t * expected.BetaMagnitude[c] + 1e-30, $"{shape}: dβ[{c}]");
                AssertClose(expected.Gamma[c], got.GammaGradient[c], 2 * t * expected.GammaMagnitude[c] + 1e-30, $"{shape}: dγ[{c}]");
            }
            ForEach(shape, (i, c) => AssertClose(expected.X[i], got.Dx[i], 2 * t * expected.XMagnitude[i] + 1e-30, $"{shape}: dx[{i}]"));
        }
    }

    [DeviceFact]
    public void BatchNormBackward_MatchesFiniteDifferencesOfTheFloat64Forward()
    {
        foreach (BatchNormShape shape in FiniteDifferenceShapes)
        {
            Inputs inputs = Inputs.Random(new Random(Seed(shape, 6)), shape);
            Outputs got = RunAll(Device, shape, inputs);
            double[] x = Widen(inputs.X), gamma = Widen(inputs.Gamma), beta = Widen(inputs.Beta);
            // L = Σ y·r with r = dy, so ∂L/∂y = dy and the kernels' gradients are ∂L/∂x, ∂L/∂γ, ∂L/∂β.
            double Loss() => Dot(inputs.Dy, ForwardReference(shape, x, gamma, beta, Epsilon));
            double[] dx = FiniteDifferences(x, Loss);
            double[] dGamma = FiniteDifferences(gamma, Loss);
            double[] dBeta = FiniteDifferences(beta, Loss);
            // The analytic gradient is evaluated at the float-rounded saved statistics (one of them from a float32
            // reduction), hence the variance error in the bound; central differences with step 1e-4 are good to ~1e-8.
            Statistics stats = Statistics.Of(shape, inputs.X);
            Gradients magnitude = BackwardReference(shape, Widen(inputs.Dy), x, gamma, stats.Mean.ToArray(), stats.Mean.Select((_, c) => 1 / Math.Sqrt(stats.Variance[c] + Epsilon)).ToArray());
            ForEach(shape, (i, c) =>
            {
                double bound = (2 * Terms(shape) * U + 3 * VarianceError(shape, stats, c)) * magnitude.XMagnitude[i] + 1e-7;
                AssertClose(dx[i], got.Dx[i], bound, $"{shape}: dx[{i}] against finite differences");
            });
            for (int c = 0; c < shape.Channels; c++)
            {
                double bound = (2 * Terms(shape) * U + VarianceError(shape, stats, c)) * magnitude.GammaMagnitude[c] + 1e-7;
                AssertClose(dGamma[c], got.GammaGradient[c], bound, $"{shape}: dγ[{c}] against finite differences");
                AssertClose(dBeta[c], got.BetaGradient[c], 2 * Terms(shape) * U * magnitude.BetaMagnitude[c] + 1e-7, $"{shape}: dβ[{c}] against finite differences");
            }
        }
    }

    [DeviceFact]
    public void BatchNormBackward_OfAConstantChannel_IsFinite()
    {
        // Variance 0: invstd = 1/√ε is large but finite, x̂ = 0, so dx = γ·invstd·(dy − mean dy) and dγ = 0.
        var shape = new BatchNormShape(4, 2, 3);
        var inputs = Inputs.Random(new Random(7), shape) with { X = Enumerable.Repeat(2.5f, shape.Length).ToArray() };
        Outputs got = RunAll(Device, shape, inputs);
        Assert.All(got.Y.Concat(got.Dx).Concat(got.GammaGradient).Concat(got.InverseStd), v => Assert.True(float.IsFinite(v)));
        Assert.Equal([2.5f, 2.5f], got.Mean);
        Assert.All(got.GammaGradient, v => Assert.Equal(0f, v));
        Assert.All(got.RunningVariance.Select((v, c) => (v, c)), p => Assert.Equal((1 - Momentum) * inputs.RunningVariance[p.c], p.v, 1e-6));
    }

    [DeviceFact]
    public void Residual_Add_IsTheCorrectlyRoundedSum()
    {
        var residual = (IResidualDevice)Device;
        foreach (int length in new[] { 1, 7, 8, 9, 33, 1000 })
        {
            var rng = new Random(length);
            float[] a = Uniform(rng, length, -3, 3);
            float[] b = Uniform(rng, length, -3, 3);
            float[] expected = [.. a.Zip(b, (p, q) => p + q)];
            DeviceBuffer y = Up(Enumerable.Repeat(9f, length + 1).ToArray());
            residual.Add(Up(a), Up(b), y, length);
            float[] got = Read(y);
            Assert.Equal(expected.Select(Bits), got.Take(length).Select(Bits));
            Assert.Equal(9f, got[length]); // only `length` elements are written

            DeviceBuffer inPlace = Up(a);
            residual.Add(inPlace, Up(b), inPlace, length);
            Assert.Equal(expected.Select(Bits), Read(inPlace).Select(Bits));
        }
        DeviceBuffer big = Up(new float[10]);
        residual.Add(big, big, big, 0);
        Assert.Throws<ArgumentException>(() => residual.Add(big, Up(new float[3]), big, 4));
        Assert.Throws<ArgumentException>(() => residual.Add(big, big, Up(new float[3]), 4));
    }

    [DeviceFact]
    public void BatchNorm_Results_AgreeWithTheCpuDevice()
    {
        using var cpu = new CpuDevice(threads: 1);
        foreach (BatchNormShape shape in Shapes)
        {
            Inputs inputs = Inputs.Random(new Random(Seed(shape, 8)), shape);
            Outputs mine = RunAll(Device, shape, inputs);
            Outputs theirs = RunAll(cpu, shape, inputs);
            Statistics stats = Statistics.Of(shape, inputs.X);
            double t = Terms(shape) * U;
            for (int c = 0; c < shape.Channels; c++)
            {
                AssertClose(theirs.Mean[c], mine.Mean[c], 4 * t * stats.MeanAbs[c] + 1e-30, $"{shape}: mean[{c}] vs cpu");
                AssertClose(theirs.InverseStd[c], mine.InverseStd[c], Math.Abs(theirs.InverseStd[c]) * 2 * (VarianceError(shape, stats, c) + 4 * U), $"{shape}: invstd[{c}] vs cpu");
            }
            ForEach(shape, (i, c) =>
            {
                double scale = Math.Abs(inputs.Gamma[c]) / Math.Sqrt(stats.Variance[c] + Epsilon);
                double bound = 2 * (scale * (Math.Abs(inputs.X[i] - stats.Mean[c]) * (VarianceError(shape, stats, c) + 6 * U) + 2 * t * stats.MeanAbs[c])
                    + 4 * U * (Math.Abs(theirs.Y[i]) + Math.Abs(inputs.Beta[c])));
                AssertClose(theirs.Y[i], mine.Y[i], bound, $"{shape}: y[{i}] vs cpu");
                AssertClose(theirs.Inference[i], mine.Inference[i], 16 * U * (Math.Abs(theirs.Inference[i]) + Math.Abs(inputs.Beta[c]) + 1), $"{shape}: inference y[{i}] vs cpu");
            });
        }
    }

    /// <summary>Training forward, evaluation forward (with the initial running statistics) and backward (dy from
    /// <paramref name="inputs"/>, the forward's saved statistics) on <paramref name="device"/>.</summary>
    internal static Outputs RunAll(IBatchNormDevice device, BatchNormShape shape, Inputs inputs)
    {
        var owned = new List<DeviceBuffer>();
        DeviceBuffer Up(float[] values)
        {
            DeviceBuffer buffer = device.Allocate(values.Length);
            device.Upload(values, buffer);
            owned.Add(buffer);
            return buffer;
        }
        DeviceBuffer Fresh(int length) => Up(Enumerable.Repeat(-99f, length).ToArray());
        float[] Read(DeviceBuffer buffer)
        {
            var values = new float[buffer.Length];
            device.Download(buffer, values);
            return values;
        }
        try
        {
            DeviceBuffer x = Up(inputs.X), gamma = Up(inputs.Gamma), beta = Up(inputs.Beta), dy = Up(inputs.Dy);
            DeviceBuffer y = Fresh(shape.Length), mean = Fresh(shape.Channels), invstd = Fresh(shape.Channels);
            DeviceBuffer rm = Up(inputs.RunningMean), rv = Up(inputs.RunningVariance);
            DeviceBuffer inference = Fresh(shape.Length), dx = Fresh(shape.Length), dGamma = Fresh(shape.Channels), dBeta = Fresh(shape.Channels);
            device.BatchNormForwardInference(shape, x, gamma, beta, rm, rv, inference, Epsilon);
            device.BatchNormForwardTraining(shape, x, gamma, beta, y, mean, invstd, rm, rv, Momentum, Epsilon);
            device.BatchNormBackward(shape, dy, x, gamma, mean, invstd, dx, dGamma, dBeta);
            return new Outputs(Read(y), Read(mean), Read(invstd), Read(rm), Read(rv), Read(inference), Read(dx), Read(dGamma), Read(dBeta));
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    /// <summary>Per-channel values around offsets of up to ±4 with spreads 0.2–1.2 (so the mean is far from 0 compared
    /// with the spread, as after a ReLU), γ of both signs, positive running variances.</summary>
    internal sealed record Inputs(float[] X, float[] Gamma, float[] Beta, float[] RunningMean, float[] RunningVariance, float[] Dy)
    {
        public static Inputs Random(Random rng, BatchNormShape shape)
        {
            float[] offsets = Uniform(rng, shape.Channels, -4, 4);
            float[] spreads = Uniform(rng, shape.Channels, 0.2, 1.2);
            float[] unit = Uniform(rng, shape.Length);
            var x = new float[shape.Length];
            ForEach(shape, (i, c) => x[i] = offsets[c] + spreads[c] * unit[i]);
            return new Inputs(
                x, Uniform(rng, shape.Channels, -1.5, 1.5), Uniform(rng, shape.Channels), Uniform(rng, shape.Channels),
                Uniform(rng, shape.Channels, 0.5, 2), Uniform(rng, shape.Length));
        }
    }

    internal sealed record Outputs(
        float[] Y, float[] Mean, float[] InverseStd, float[] RunningMean, float[] RunningVariance, float[] Inference,
        float[] Dx, float[] GammaGradient, float[] BetaGradient)
    {
        public IEnumerable<float> All => [.. Y, .. Mean, .. InverseStd, .. RunningMean, .. RunningVariance, .. Inference, .. Dx, .. GammaGradient, .. BetaGradient];
    }

    // ---- float64 references, written from the definitions ----

    /// <summary>Per channel: mean, biased variance (two-pass), mean |x| and mean x² (the magnitudes of the sums).</summary>
    private sealed record Statistics(double[] Mean, double[] Variance, double[] MeanAbs, double[] MeanSquare)
    {
        public static Statistics Of(BatchNormShape s, IReadOnlyList<float> x) => Of(s, x.Select(v => (double)v).ToArray());

        public static Statistics Of(BatchNormShape s, double[] x)
        {
            int channels = s.Channels;
            double n = s.PerChannel;
            double[] mean = new double[channels], variance = new double[channels], abs = new double[channels], square = new double[channels];
            ForEach(s, (i, c) =>
            {
                mean[c] += x[i] / n;
                abs[c] += Math.Abs(x[i]) / n;
                square[c] += x[i] * x[i] / n;
            });
            ForEach(s, (i, c) => variance[c] += (x[i] - mean[c]) * (x[i] - mean[c]) / n);
            return new Statistics(mean, variance, abs, square);
        }
    }

    private static double[] ForwardReference(BatchNormShape s, double[] x, double[] gamma, double[] beta, double epsilon)
    {
        Statistics stats = Statistics.Of(s, x);
        var y = new double[s.Length];
        ForEach(s, (i, c) => y[i] = gamma[c] * (x[i] - stats.Mean[c]) / Math.Sqrt(stats.Variance[c] + epsilon) + beta[c]);
        return y;
    }

    /// <summary>The gradients and the magnitudes of their terms (for error bounds).</summary>
    private sealed record Gradients(double[] X, double[] Gamma, double[] Beta, double[] XMagnitude, double[] GammaMagnitude, double[] BetaMagnitude);

    /// <summary>dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·invstd/N·(N·dy − Σ dy − x̂·Σ dy·x̂) with x̂ = (x − mean)·invstd.</summary>
    private static Gradients BackwardReference(BatchNormShape s, double[] dy, double[] x, double[] gamma, double[] mean, double[] invstd)
    {
        int channels = s.Channels;
        double n = s.PerChannel;
        double[] sumDy = new double[channels], sumDyHat = new double[channels], absDy = new double[channels], absDyHat = new double[channels];
        double Hat(int i, int c) => (x[i] - mean[c]) * invstd[c];
        ForEach(s, (i, c) =>
        {
            sumDy[c] += dy[i];
            sumDyHat[c] += dy[i] * Hat(i, c);
            absDy[c] += Math.Abs(dy[i]);
            absDyHat[c] += Math.Abs(dy[i] * Hat(i, c));
        });
        double[] dx = new double[s.Length], dxMagnitude = new double[s.Length];
        ForEach(s, (i, c) =>
        {
            double k = gamma[c] * invstd[c] / n;
            dx[i] = k * (n * dy[i] - sumDy[c] - Hat(i, c) * sumDyHat[c]);
            dxMagnitude[i] = Math.Abs(k) * (n * Math.Abs(dy[i]) + absDy[c] + Math.Abs(Hat(i, c)) * absDyHat[c]);
        });
        return new Gradients(dx, sumDyHat, sumDy, dxMagnitude, absDyHat, absDy);
    }

    /// <summary>Reduction terms for the error bounds: N additions plus a few roundings.</summary>
    private static double Terms(BatchNormShape s) => s.PerChannel + 8;

    /// <summary>Relative error bound of a float32 variance over N values: T·u·mean(x²)/(var + ε) (a one-pass variance's
    /// cancellation), at most 1.</summary>
    private static double VarianceError(BatchNormShape s, Statistics stats, int c) =>
        Math.Min(1, 2 * Terms(s) * U * stats.MeanSquare[c] / (stats.Variance[c] + Epsilon));

    /// <summary>Calls visit(flat index, channel) for every element, in (n, c, s) order.</summary>
    private static void ForEach(BatchNormShape s, Action<int, int> visit)
    {
        for (int n = 0; n < s.Batch; n++)
        {
            for (int c = 0; c < s.Channels; c++)
            {
                for (int p = 0; p < s.Spatial; p++)
                {
                    visit((n * s.Channels + c) * s.Spatial + p, c);
                }
            }
        }
    }

    private static double[] FiniteDifferences(double[] point, Func<double> loss)
    {
        const double step = 1e-4;
        var gradient = new double[point.Length];
        for (int i = 0; i < point.Length; i++)
        {
            double original = point[i];
            point[i] = original + step;
            double plus = loss();
            point[i] = original - step;
            double minus = loss();
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

    private static double[] Widen(float[] values) => [.. values.Select(v => (double)v)];

    private static int Seed(BatchNormShape shape, int test) => (shape.Batch * 1000 + shape.Channels) * 1000 + shape.Spatial + test * 7919;

    private static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        double error = Math.Abs(actual - expected);
        if (!(error <= tolerance))
        {
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (error {error:E3} > tolerance {tolerance:E3})");
        }
    }

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

    private float[] Read(DeviceBuffer buffer)
    {
        var values = new float[buffer.Length];
        Device.Download(buffer, values);
        return values;
    }
}

/// <summary>The batch-norm suite on the native CPU device (two threads, partitioned even for small shapes), with larger
/// shapes (many channel blocks, convolution-sized planes) and the thread-count check.</summary>
public sealed class CpuBatchNormConformanceTests : BatchNormConformanceTests
{
    private readonly CpuDevice device = new(threads: 2) { ParallelThreshold = 0 };

    protected override IBatchNormDevice Device => device;

    protected override IReadOnlyList<BatchNormShape> Shapes { get; } =
    [
        .. DefaultShapes,
        new(64, 100, 1),
        new(3, 17, 1),
        new(8, 16, 28 * 28),
        new(5, 7, 13 * 13),
    ];

    [DeviceFact]
    public void BatchNorm_Results_AreBitIdenticalForOneTwoAndThreeThreads()
    {
        foreach (BatchNormShape shape in Shapes)
        {
            Inputs inputs = Inputs.Random(new Random(shape.GetHashCode()), shape);
            int[]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                using var cpu = new CpuDevice(threads) { ParallelThreshold = 0 };
                int[] bits = [.. RunAll(cpu, shape, inputs).All.Select(Bits), .. RunAdd(cpu, inputs.X, inputs.Dy).Select(Bits)];
                first ??= bits;
                Assert.True(first.SequenceEqual(bits), $"{shape}: {threads} threads differ from 1 thread");
            }
        }
    }

    protected override void DisposeDevice() => device.Dispose();

    private static float[] RunAdd(CpuDevice cpu, float[] a, float[] b)
    {
        using DeviceBuffer x = cpu.Allocate(a.Length);
        using DeviceBuffer y = cpu.Allocate(b.Length);
        cpu.Upload(a, x);
        cpu.Upload(b, y);
        cpu.Add(x, y, x, a.Length);
        var result = new float[a.Length];
        cpu.Download(x, result);
        return result;
    }
}

/// <summary>The batch-norm kernels on ILGPU's CPU accelerator.</summary>
public sealed class IlgpuCpuBatchNormConformanceTests(IlgpuCpuDeviceFixture fixture)
    : BatchNormConformanceTests, IClassFixture<IlgpuCpuDeviceFixture>
{
    protected override IBatchNormDevice Device => (IBatchNormDevice)fixture.Device;
}

/// <summary>The batch-norm kernels on a real CUDA GPU (COND_CUDA_TESTS=1), with larger shapes too (channels with far more
/// values than partial sums).</summary>
[CudaRequired]
public sealed class CudaBatchNormConformanceTests(CudaDeviceFixture fixture)
    : BatchNormConformanceTests, IClassFixture<CudaDeviceFixture>
{
    protected override IBatchNormDevice Device => (IBatchNormDevice)fixture.Device;

    protected override IReadOnlyList<BatchNormShape> Shapes { get; } =
    [
        .. DefaultShapes,
        new(64, 100, 1),
        new(256, 3, 1),
        new(8, 16, 28 * 28),
        new(32, 64, 8 * 8),
    ];
}
