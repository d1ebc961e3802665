using System.Diagnostics;
using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using Xunit.Abstractions;
using static CondensationDsl.Kernels.Tests.Support.Float32;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>
/// The CPU device's shape-specific GEMM paths for a dense layer with few outputs and many inputs (Z = X·Wᵀ: narrow
/// kernel; dW = dZᵀ·X: column-major tiles; dX = dZ·W stays on the general tiles, already bandwidth-bound): against a
/// float64 reference, and bit for bit against the general tiles and across thread counts — the paths promise the
/// general kernel's reduction order, so switching them on changes no result.
/// </summary>
public sealed class CpuGemmShapeTests
{
    /// <summary>(transposeA, transposeB, m, n, k): Z = X·Wᵀ with n = 1..16 and k ≥ 1024 (k not a multiple of 8 too),
    /// edge rows (m = 1, m not a multiple of 16); C with m ≤ 16 rows and n ≥ 1024 columns (dW, column-major tiles),
    /// n not a multiple of 16; dX = dZ·W with small k; and shapes just outside the routing rules.</summary>
    public static TheoryData<bool, bool, int, int, int> Shapes()
    {
        var data = new TheoryData<bool, bool, int, int, int>();
        foreach (int n in Enumerable.Range(1, 16))
        {
            data.Add(false, true, 19, n, 1027);
        }
        data.Add(false, true, 1, 10, 1024);
        data.Add(false, true, 1, 2, 1031);
        data.Add(false, true, 16, 16, 1024);
        data.Add(false, true, 33, 10, 2053);
        data.Add(false, true, 40, 7, 1500);
        data.Add(true, false, 10, 1037, 33);
        data.Add(true, false, 1, 2051, 40);
        data.Add(true, false, 16, 1030, 37);
        data.Add(true, false, 5, 1024, 7);
        data.Add(false, false, 3, 1100, 50);
        data.Add(true, true, 7, 1033, 32);
        data.Add(false, false, 37, 1029, 10);
        data.Add(false, false, 1, 2050, 16);
        data.Add(false, false, 5, 1031, 3);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gemm_MatchesFloat64(bool ta, bool tb, int m, int n, int k)
    {
        var rng = new Random(m * 7919 + n * 31 + k);
        using var device = new CpuDevice(threads: 2) { ParallelThreshold = 0 };
        foreach ((float alpha, float beta) in new[] { (1f, 0f), (0.75f, -1.25f) })
        {
            float[] a = Uniform(rng, m * k), b = Uniform(rng, k * n), c0 = Uniform(rng, m * n);
            float[] got = Run(device, ta, tb, m, n, k, alpha, a, b, beta, c0);
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
                    // γ_k for the k-term dot product, plus the roundings of α·acc and of the β·C update (as in DeviceConformanceTests).
                    double tolerance = (k + 3) * U * (Math.Abs(alpha) * magnitude + Math.Abs(beta * cij)) + 1e-30;
                    double error = Math.Abs(got[i * n + j] - expected);
                    Assert.True(error <= tolerance, $"({ta},{tb}) m={m} n={n} k={k} α={alpha} β={beta} at ({i},{j}): {got[i * n + j]} vs {expected}, error {error:E3} > {tolerance:E3}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gemm_GivesTheGeneralKernelsBits_ForAnyThreadCount(bool ta, bool tb, int m, int n, int k)
    {
        var rng = new Random(m + n + k);
        float[] a = Uniform(rng, m * k), b = Uniform(rng, k * n), c0 = Uniform(rng, m * n);
        float[]? reference = null;
        foreach ((int threads, bool specific) in new[] { (1, false), (1, true), (2, true), (3, true), (3, false) })
        {
            using var device = new CpuDevice(threads) { ParallelThreshold = 0, ShapeSpecificGemm = specific };
            float[] got = Run(device, ta, tb, m, n, k, 0.5f, a, b, 0.25f, c0);
            reference ??= got;
            Assert.True(reference.AsSpan().SequenceEqual(got), $"threads={threads} shape-specific={specific} differs");
        }
    }

    [Theory]
    [InlineData(Activation.Linear, true)]
    [InlineData(Activation.Relu, true)]
    [InlineData(Activation.Relu, false)]
    public void DenseForward_WithFewOutputs_GivesTheGeneralKernelsBits(Activation activation, bool withBias)
    {
        const int rows = 37, inputs = 1100, outputs = 10;
        var rng = new Random(5);
        float[] x = Uniform(rng, rows * inputs), w = Uniform(rng, outputs * inputs), bias = Uniform(rng, outputs);
        float[]? reference = null;
        foreach ((int threads, bool specific) in new[] { (1, false), (2, true), (3, true) })
        {
            using var device = new CpuDevice(threads) { ParallelThreshold = 0, ShapeSpecificGemm = specific };
            using DeviceBuffer dx = Up(device, x), dw = Up(device, w), db = Up(device, bias);
            using DeviceBuffer z = device.Allocate(rows * outputs), y = device.Allocate(rows * outputs);
            device.DenseForward(activation, dx, dw, withBias ? db : null, z, y, rows, inputs, outputs);
            float[] got = [.. Down(device, z), .. Down(device, y)];
            reference ??= got;
            Assert.True(reference.AsSpan().SequenceEqual(got), $"threads={threads} shape-specific={specific} differs");
        }
    }

    [Fact]
    public void Gemm_WithBetaZero_IgnoresNaNInC()
    {
        const int m = 3, n = 10, k = 1024;
        var rng = new Random(9);
        using var device = new CpuDevice(2) { ParallelThreshold = 0 };
        float[] got = Run(device, false, true, m, n, k, 1f, Uniform(rng, m * k), Uniform(rng, n * k), 0f, Enumerable.Repeat(float.NaN, m * n).ToArray());
        Assert.All(got, v => Assert.True(float.IsFinite(v)));
    }

    internal static float[] Run(CpuDevice device, bool ta, bool tb, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c0)
    {
        using DeviceBuffer da = Up(device, a), db = Up(device, b), dc = Up(device, c0);
        device.Gemm(ta, tb, m, n, k, alpha, da, db, beta, dc);
        return Down(device, dc);
    }

    internal static DeviceBuffer Up(CpuDevice device, float[] values)
    {
        DeviceBuffer buffer = device.Allocate(values.Length);
        device.Upload(values, buffer);
        return buffer;
    }

    internal static float[] Down(CpuDevice device, DeviceBuffer buffer)
    {
        var values = new float[buffer.Length];
        device.Download(buffer, values);
        return values;
    }
}

/// <summary>Runs a timing only when COND_GEMM_TIMING=1; otherwise it is reported as skipped.</summary>
public sealed class GemmTimingRequestedAttribute : DeviceRequirementAttribute
{
    public override string? SkipReason() =>
        Environment.GetEnvironmentVariable("COND_GEMM_TIMING") == "1" ? null : "set COND_GEMM_TIMING=1 to time the W2 dense layer";
}

/// <summary>Timings of the W2 dense layer's products; they measure, they do not check.</summary>
[GemmTimingRequested]
public sealed class CpuGemmTimings(ITestOutputHelper output)
{
    /// <summary>
    /// The dense layer 25 088 → 10 of W2 on two threads: forward Z = X·Wᵀ (fused, with bias), dW = dZᵀ·X and
    /// dX = dZ·W, at 128 and 670 rows, with the shape-specific kernels off and on in the same process (interleaved, so
    /// load on the shared machine hits both alike). Median of 21 after 3 warm-ups. Run with COND_GEMM_TIMING=1
    /// dotnet test tests/CondensationDsl.Kernels.Tests -c Release --filter DenseGemmTiming --logger "console;verbosity=detailed".
    /// </summary>
    [DeviceFact]
    public void DenseGemmTiming_W2Head()
    {
        const int inputs = 25088, outputs = 10;
        foreach (int rows in new[] { 128, 670 })
        {
            using var cpu = new CpuDevice(threads: 2);
            var rng = new Random(3);
            using DeviceBuffer x = CpuGemmShapeTests.Up(cpu, Uniform(rng, rows * inputs)), w = CpuGemmShapeTests.Up(cpu, Uniform(rng, outputs * inputs));
            using DeviceBuffer bias = CpuGemmShapeTests.Up(cpu, Uniform(rng, outputs)), dz = CpuGemmShapeTests.Up(cpu, Uniform(rng, rows * outputs));
            using DeviceBuffer z = cpu.Allocate(rows * outputs), dw = cpu.Allocate(outputs * inputs), dx = cpu.Allocate(rows * inputs);
            var times = new Dictionary<(bool Specific, string Step), List<double>>();
            for (int i = 0; i < 24; i++)
            {
                foreach (bool specific in new[] { false, true })
                {
                    cpu.ShapeSpecificGemm = specific;
                    long t0 = Stopwatch.GetTimestamp();
                    cpu.DenseForward(Activation.Linear, x, w, bias, z, z, rows, inputs, outputs);
                    long t1 = Stopwatch.GetTimestamp();
                    cpu.Gemm(true, false, outputs, inputs, rows, 1f, dz, x, 0f, dw);
                    long t2 = Stopwatch.GetTimestamp();
                    cpu.Gemm(false, false, rows, inputs, outputs, 1f, dz, w, 0f, dx);
                    long t3 = Stopwatch.GetTimestamp();
                    if (i >= 3)
                    {
                        Add(specific, "forward", t0, t1);
                        Add(specific, "dW", t1, t2);
                        Add(specific, "dX", t2, t3);
                        Add(specific, "total", t0, t3);
                    }
                }
            }

            foreach (bool specific in new[] { false, true })
            {
                string Median(string step) => times[(specific, step)].Order().ElementAt(times[(specific, step)].Count / 2).ToString("F2");
                output.WriteLine($"{cpu.Name}, rows {rows}, {(specific ? "shape-specific" : "general tiles ")}: forward {Median("forward")} ms, dW {Median("dW")} ms, dX {Median("dX")} ms, total {Median("total")} ms (median of 21)");
            }

            void Add(bool specific, string step, long from, long to)
            {
                if (!times.TryGetValue((specific, step), out var list))
                {
                    times[(specific, step)] = list = [];
                }
                list.Add(Stopwatch.GetElapsedTime(from, to).TotalMilliseconds);
            }
        }
    }
}
