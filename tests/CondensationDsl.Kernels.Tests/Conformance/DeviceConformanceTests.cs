using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;
using static CondensationDsl.Kernels.Tests.Support.Float32;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>
/// Every <see cref="IDevice"/> operation against a float64 reference computed here, on random inputs of several shapes
/// (odd sizes included). Written once; each device subclasses it. Tolerances are a-priori float32 error bounds
/// (unit roundoff u = 2^-24), not fitted constants; each says where it comes from.
/// </summary>
public abstract class DeviceConformanceTests : IDisposable
{
    private readonly List<DeviceBuffer> buffers = [];

    protected abstract IDevice Device { get; }

    /// <summary>(m, n, k) shapes for GEMM; subclasses for slow devices keep them small.</summary>
    protected virtual IReadOnlyList<(int M, int N, int K)> GemmShapes { get; } =
        [(1, 1, 1), (3, 7, 5), (7, 3, 33), (17, 16, 16), (33, 5, 1), (2, 65, 19)];

    /// <summary>Vector lengths for elementwise operations and reductions.</summary>
    protected virtual IReadOnlyList<int> Lengths { get; } = [1, 3, 7, 33, 65, 257];

    /// <summary>(rows, columns) for the broadcast and the column sums.</summary>
    protected virtual IReadOnlyList<(int Rows, int Columns)> MatrixShapes { get; } = [(1, 1), (3, 7), (33, 1), (1, 65), (65, 33)];

    public void Dispose()
    {
        foreach (DeviceBuffer buffer in buffers)
        {
            buffer.Dispose();
        }
        DisposeDevice();
        GC.SuppressFinalize(this);
    }

    /// <summary>For subclasses that create a device per test instead of sharing one through a fixture.</summary>
    protected virtual void DisposeDevice()
    {
    }

    [DeviceFact]
    public void Allocate_IsZeroFilled_AndUploadDownloadRoundTrips()
    {
        foreach (int n in Lengths)
        {
            DeviceBuffer buffer = Track(Device.Allocate(n));
            Assert.Equal(n, buffer.Length);
            Assert.All(Read(buffer), v => Assert.Equal(0, Bits(v)));
            float[] data = Uniform(new Random(n), n, -1e3, 1e3);
            Device.Upload(data, buffer);
            Assert.Equal(data, Read(buffer));
        }
    }

    [DeviceFact]
    public void Fill_SetsEveryElement()
    {
        foreach (int n in Lengths)
        {
            DeviceBuffer buffer = Up(Uniform(new Random(n), n));
            Device.Fill(buffer, -2.5f);
            Assert.All(Read(buffer), v => Assert.Equal(-2.5f, v));
        }
    }

    [DeviceFact]
    public void Copy_CopiesEveryElement()
    {
        foreach (int n in Lengths)
        {
            float[] data = Uniform(new Random(n), n);
            DeviceBuffer destination = Track(Device.Allocate(n));
            Device.Copy(Up(data), destination);
            Assert.Equal(data, Read(destination));
        }
    }

    [DeviceFact]
    public void Gemm_MatchesFloat64()
    {
        var rng = new Random(1);
        foreach ((int m, int n, int k) in GemmShapes)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    foreach ((float alpha, float beta) in new[] { (1f, 0f), (0.75f, -1.25f) })
                    {
                        float[] a = Uniform(rng, m * k);
                        float[] b = Uniform(rng, k * n);
                        float[] c0 = Uniform(rng, m * n);
                        DeviceBuffer c = Up(c0);
                        Device.Gemm(ta, tb, m, n, k, alpha, Up(a), Up(b), beta, c);
                        float[] got = Read(c);
                        for (int i = 0; i < m; i++)
                        {
                            for (int j = 0; j < n; j++)
                            {
                                double sum = 0, magnitude = 0;
                                for (int p = 0; p < k; p++)
                                {
                                    double term = (double)(ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                                    sum += term;
                                    magnitude += Math.Abs(term);
                                }
                                double cij = c0[i * n + j];
                                double expected = alpha * sum + beta * cij;
                                // A k-term float32 dot product is within k·u·Σ|a||b| (γ_k); the alpha scaling and the
                                // beta·C update add three more roundings of terms of size |alpha|Σ|ab| and |beta·c|.
                                double tolerance = (k + 3) * U * (Math.Abs(alpha) * magnitude + Math.Abs(beta * cij)) + 1e-30;
                                AssertClose(expected, got[i * n + j], tolerance, $"gemm m={m} n={n} k={k} tA={ta} tB={tb} alpha={alpha} beta={beta} at ({i},{j})");
                            }
                        }
                    }
                }
            }
        }
    }

    [DeviceFact]
    public void AddRowBroadcast_MatchesFloat64()
    {
        var rng = new Random(2);
        foreach ((int rows, int columns) in MatrixShapes)
        {
            float[] matrix = Uniform(rng, rows * columns);
            float[] row = Uniform(rng, columns);
            DeviceBuffer buffer = Up(matrix);
            Device.AddRowBroadcast(buffer, Up(row), rows, columns);
            float[] got = Read(buffer);
            for (int i = 0; i < matrix.Length; i++)
            {
                // The float64 sum of two floats is exact here, so rounding it once gives the correctly rounded
                // float32 sum: the device must match it bit for bit.
                Assert.Equal((float)((double)matrix[i] + row[i % columns]), got[i]);
            }
        }
    }

    [DeviceFact]
    public void SumOverRows_MatchesFloat64()
    {
        var rng = new Random(3);
        foreach ((int rows, int columns) in MatrixShapes)
        {
            float[] matrix = Uniform(rng, rows * columns);
            DeviceBuffer result = Track(Device.Allocate(columns));
            Device.SumOverRows(Up(matrix), rows, columns, result);
            float[] got = Read(result);
            for (int c = 0; c < columns; c++)
            {
                double sum = 0, magnitude = 0;
                for (int r = 0; r < rows; r++)
                {
                    sum += matrix[r * columns + c];
                    magnitude += Math.Abs(matrix[r * columns + c]);
                }
                // Any order of summing `rows` floats is within (rows − 1)·u·Σ|x|.
                AssertClose(sum, got[c], rows * U * magnitude + 1e-30, $"sum rows={rows} columns={columns} column {c}");
            }
        }
    }

    /// <summary>Random inputs in [−6, 6] plus the edges: 0, values around the tanh polynomial switch (0.625),
    /// saturation (±9, ±20), overflow bait for softplus/sigmoid (±100), e^x near float32's subnormal range (−87, −95),
    /// and a wide random sweep of [−90, 90] for the exponential's range reduction.</summary>
    private static float[] ActivationInputs(int seed)
    {
        float[] special = [0f, -0f, 1e-4f, -1e-4f, 0.5f, 0.625f, -0.625f, 0.7f, 1f, -1f, 3f, 9f, -9f, 20f, -20f, 100f, -100f, -87f, -95f];
        var rng = new Random(seed);
        return [.. special, .. Uniform(rng, 47, -6, 6), .. Uniform(rng, 32, -90, 90)];
    }

    [DeviceFact]
    public void ActivationForward_MatchesFloat64()
    {
        float[] z = ActivationInputs(4);
        var failures = new List<string>();
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            DeviceBuffer y = Track(Device.Allocate(z.Length));
            Device.ActivationForward(activation, Up(z), y, z.Length);
            float[] got = Read(y);
            for (int i = 0; i < z.Length; i++)
            {
                double expected = Reference.Value(activation, z[i]);
                // Linear and ReLU are exact. The others are a handful of float32 operations on exp/log/tanh, each
                // relative error ≲ 2u, with no cancellation in the forms used: 32u relative covers them with margin.
                // The 1e-37 absolute term allows a GPU to flush denormals (sigmoid(−100)) to zero.
                double tolerance = activation is Activation.Linear or Activation.Relu ? 0 : 32 * U * Math.Abs(expected) + 1e-37;
                Check(failures, expected, got[i], tolerance, $"{activation}({z[i]:R})");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [DeviceFact]
    public void ActivationBackward_MatchesFloat64()
    {
        float[] z = ActivationInputs(5);
        float[] dy = Uniform(new Random(6), z.Length, -2, 2);
        var failures = new List<string>();
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            DeviceBuffer dz = Track(Device.Allocate(z.Length));
            Device.ActivationBackward(activation, Up(z), Up(dy), dz, z.Length);
            float[] got = Read(dz);
            for (int i = 0; i < z.Length; i++)
            {
                double derivative = Reference.Derivative(activation, z[i]);
                double expected = dy[i] * derivative;
                // Derivatives such as 1 − tanh² cancel when the function saturates, so besides 32u relative we allow an
                // absolute error of a few u times the size of the terms that cancel (1 for tanh/sigmoid, 1 + |z| for
                // z·tanh z, |z| + z² for z²·tanh z), all scaled by |dy|.
                double x = Math.Abs(z[i]);
                double cancelling = activation switch
                {
                    Activation.Tanh or Activation.Sigmoid => 1,
                    Activation.XTanh => 1 + x,
                    Activation.X2Tanh => x + x * x,
                    _ => 0,
                };
                double tolerance = activation is Activation.Linear or Activation.Relu
                    ? 0
                    : Math.Abs(dy[i]) * (32 * U * Math.Abs(derivative) + 8 * U * cancelling) + 1e-37;
                Check(failures, expected, got[i], tolerance, $"{activation}'({z[i]:R})·{dy[i]:R}");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        // ReLU'(0) = 0 (PyTorch's convention): a neuron exactly at the kink gets no gradient.
        DeviceBuffer atZero = Track(Device.Allocate(1));
        Device.ActivationBackward(Activation.Relu, Up([0f]), Up([1f]), atZero, 1);
        Assert.Equal(0f, Read(atZero)[0]);
    }

    [DeviceFact]
    public void MseLossAndGradient_MatchesFloat64()
    {
        var rng = new Random(7);
        foreach (int n in Lengths)
        {
            float[] p = Uniform(rng, n, -2, 2);
            float[] t = Uniform(rng, n, -2, 2);
            DeviceBuffer gradient = Track(Device.Allocate(n));
            double loss = Device.MseLossAndGradient(Up(p), Up(t), gradient, n);
            float[] got = Read(gradient);
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                double d = (double)p[i] - t[i];
                sum += d * d;
                // fl(p − t), the scale 2/n rounded to float, and the product: three roundings.
                AssertClose(2 * d / n, got[i], 4 * U * Math.Abs(2 * d / n) + 1e-37, $"mse gradient n={n} at {i}");
            }
            // Squares of rounded differences (3u each) summed in any order ((n − 1)u), then divided by n.
            AssertClose(sum / n, loss, (n + 4) * U * (sum / n) + 1e-37, $"mse loss n={n}");
        }
    }

    [DeviceFact]
    public void Multiply_IsTheCorrectlyRoundedProduct()
    {
        var rng = new Random(11);
        foreach (int n in Lengths)
        {
            float[] x = Uniform(rng, n, -1e3, 1e3);
            // Dropout masks hold 0 or 1/p; arbitrary factors check the general product as well.
            float[] mask = [.. Enumerable.Range(0, n).Select(i => (i % 3) switch { 0 => 0f, 1 => (float)(1 / 0.9), _ => (float)(rng.NextDouble() * 4 - 2) })];
            DeviceBuffer output = Track(Device.Allocate(n));
            DeviceBuffer input = Up(x);
            Device.Multiply(input, Up(mask), output, n);
            float[] separate = Read(output);
            Device.Multiply(input, Up(mask), input, n);
            float[] inPlace = Read(input);
            for (int i = 0; i < n; i++)
            {
                // The float64 product of two floats is exact (48 significant bits), so rounding it once gives the
                // correctly rounded float32 product, which one float32 multiply must match bit for bit.
                float expected = (float)((double)x[i] * mask[i]);
                Assert.True(Bits(expected) == Bits(separate[i]), $"multiply n={n} at {i}: expected {expected:R}, got {separate[i]:R}");
                Assert.True(Bits(expected) == Bits(inPlace[i]), $"multiply in place n={n} at {i}: expected {expected:R}, got {inPlace[i]:R}");
            }
        }
    }

    [DeviceFact]
    public void GradientDescentStep_MatchesFloat64()
    {
        var rng = new Random(8);
        foreach (int n in Lengths)
        {
            float[] p = Uniform(rng, n);
            float[] g = Uniform(rng, n);
            const float lr = 0.05f;
            DeviceBuffer parameter = Up(p);
            Device.GradientDescentStep(parameter, Up(g), lr, n);
            float[] got = Read(parameter);
            for (int i = 0; i < n; i++)
            {
                double expected = p[i] - (double)lr * g[i];
                // fl(lr·g) then fl(p − ·): two roundings (an FMA makes it one).
                AssertClose(expected, got[i], 2 * U * (Math.Abs(p[i]) + Math.Abs(lr * g[i])), $"gd n={n} at {i}");
            }
        }
    }

    [DeviceFact]
    public void AdamStep_MatchesFloat64OverSeveralSteps()
    {
        var rng = new Random(9);
        const int steps = 5;
        foreach (int n in Lengths)
        {
            var hyper = new AdamStepParameters(0.01f, 0.9f, 0.999f, 1e-8f, 0);
            float[] p0 = Uniform(rng, n);
            DeviceBuffer parameter = Up(p0);
            DeviceBuffer first = Track(Device.Allocate(n));
            DeviceBuffer second = Track(Device.Allocate(n));
            DeviceBuffer gradient = Track(Device.Allocate(n));
            double[] p = [.. p0.Select(v => (double)v)];
            double[] m = new double[n], v = new double[n];
            double b1 = hyper.Beta1, b2 = hyper.Beta2;
            for (int step = 1; step <= steps; step++)
            {
                // |g| in [0.1, 1] with random sign, so √v̂ stays within 10× of |m̂| and the error bound below holds.
                float[] g = [.. Uniform(rng, n, 0.1, 1).Select(x => rng.Next(2) == 0 ? x : -x)];
                Device.Upload(g, gradient);
                Device.AdamStep(parameter, gradient, first, second, hyper with { Step = step }, n);
                for (int i = 0; i < n; i++)
                {
                    m[i] = b1 * m[i] + (1 - b1) * g[i];
                    v[i] = b2 * v[i] + (1 - b2) * g[i] * (double)g[i];
                    double mHat = m[i] / (1 - Math.Pow(b1, step));
                    double vHat = v[i] / (1 - Math.Pow(b2, step));
                    p[i] -= hyper.LearningRate * mHat / (Math.Sqrt(vHat) + hyper.Epsilon);
                }
            }
            float[] gotP = Read(parameter), gotM = Read(first), gotV = Read(second);
            for (int i = 0; i < n; i++)
            {
                // Moments: three roundings per step on terms ≤ max|g| (resp. g²), accumulated over the steps.
                AssertClose(m[i], gotM[i], steps * 4 * U, $"adam m n={n} at {i}");
                AssertClose(v[i], gotV[i], steps * 4 * U, $"adam v n={n} at {i}");
                // Update: ~10 roundings on m̂/√v̂ whose moment errors (above) are amplified by |g|max/|g|min ≤ 10,
                // i.e. ≤ 10·(10 + 4·steps)u relative per step on an update of size ≤ lr·|m̂/√v̂| ≲ lr·10; plus
                // two roundings of p per step.
                double tolerance = steps * (hyper.LearningRate * 10 * 10 * (10 + 4 * steps) * U + 2 * U * (Math.Abs(p[i]) + 1));
                AssertClose(p[i], gotP[i], tolerance, $"adam p n={n} at {i}");
            }
        }
    }

    [DeviceFact]
    public void EveryOperation_IsBitIdenticalOnRerun()
    {
        var rng = new Random(10);
        (int m, int n, int k) = GemmShapes[^1];
        float[] a = Uniform(rng, m * k), b = Uniform(rng, k * n), c0 = Uniform(rng, m * n);
        int length = Lengths[^1];
        float[] p = Uniform(rng, length), t = Uniform(rng, length), g = Uniform(rng, length);

        (float[] Values, double Loss) Run()
        {
            var output = new List<float>();
            DeviceBuffer c = Up(c0);
            Device.Gemm(false, false, m, n, k, 0.5f, Up(a), Up(b), 0.25f, c);
            output.AddRange(Read(c));
            DeviceBuffer sums = Track(Device.Allocate(n));
            Device.SumOverRows(c, m, n, sums);
            output.AddRange(Read(sums));
            DeviceBuffer y = Track(Device.Allocate(length));
            Device.ActivationForward(Activation.X2Tanh, Up(p), y, length);
            output.AddRange(Read(y));
            DeviceBuffer gradient = Track(Device.Allocate(length));
            double loss = Device.MseLossAndGradient(y, Up(t), gradient, length);
            output.AddRange(Read(gradient));
            Device.Multiply(gradient, y, gradient, length);
            output.AddRange(Read(gradient));
            DeviceBuffer parameter = Up(p), first = Track(Device.Allocate(length)), second = Track(Device.Allocate(length));
            for (int step = 1; step <= 3; step++)
            {
                Device.AdamStep(parameter, Up(g), first, second, new AdamStepParameters(1e-3f, 0.9f, 0.999f, 1e-8f, step), length);
            }
            output.AddRange(Read(parameter));
            return ([.. output], loss);
        }

        (float[] first1, double loss1) = Run();
        (float[] first2, double loss2) = Run();
        Assert.Equal(BitConverter.DoubleToInt64Bits(loss1), BitConverter.DoubleToInt64Bits(loss2));
        Assert.Equal(first1.Select(Bits), first2.Select(Bits));
    }

    protected DeviceBuffer Track(DeviceBuffer buffer)
    {
        buffers.Add(buffer);
        return buffer;
    }

    protected DeviceBuffer Up(float[] data)
    {
        DeviceBuffer buffer = Track(Device.Allocate(data.Length));
        Device.Upload(data, buffer);
        return buffer;
    }

    protected float[] Read(DeviceBuffer buffer)
    {
        var values = new float[buffer.Length];
        Device.Download(buffer, values);
        return values;
    }

    /// <summary>Collects a failure instead of stopping, so one run lists every bad input of an activation.</summary>
    private static void Check(List<string> failures, double expected, double actual, double tolerance, string what)
    {
        double error = Math.Abs(actual - expected);
        if (!(error <= tolerance))
        {
            failures.Add($"{what}: expected {expected:R}, got {actual:R} (error {error:E3} > tolerance {tolerance:E3})");
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
