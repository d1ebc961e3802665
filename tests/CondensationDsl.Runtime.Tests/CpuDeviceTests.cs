using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;

namespace CondensationDsl.Runtime.Tests;

public class CpuDeviceTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 80, 1000, 1 }, { 80, 1, 1000 }, { 1, 1000, 80 }, { 1000, 1, 80 }, { 7, 13, 5 },
        { 17, 33, 9 }, { 4, 16, 3 }, { 5, 23, 31 }, { 33, 2, 65 }, { 2, 9, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gemm_matches_a_float64_reference_for_every_transpose(int m, int n, int k)
    {
        // threshold 0 forces the threaded path even on tiny shapes; 3 threads give uneven partitions.
        foreach (var threads in new[] { 1, 3 })
        {
            using var device = new CpuDevice(threads) { ParallelThreshold = threads == 1 ? long.MaxValue : 0 };
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                foreach (var (alpha, beta) in new[] { (1.0, 0.0), (0.5, 2.0) })
                {
                    var a = Reference.RandomFloats(m * k, 1 + m + k);
                    var b = Reference.RandomFloats(k * n, 2 + n);
                    var c = Reference.RandomFloats(m * n, 3);
                    var expected = Reference.Gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
                    using var da = Reference.Upload(device, a);
                    using var db = Reference.Upload(device, b);
                    using var dc = Reference.Upload(device, c);
                    device.Gemm(ta, tb, m, n, k, (float)alpha, da, db, (float)beta, dc);
                    var actual = Reference.Download(device, dc, m * n);
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * (k + 2), $"threads {threads} ({ta},{tb}) α={alpha} β={beta} [{i}]: {actual[i]} vs {expected[i]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Gemm_with_beta_zero_ignores_NaN_in_C()
    {
        using var device = new CpuDevice(1);
        using var a = Reference.Upload(device, [1, 2]);
        using var b = Reference.Upload(device, [3, 4]);
        using var c = Reference.Upload(device, [float.NaN]);
        device.Gemm(false, false, 1, 1, 2, 1, a, b, 0, c);
        Assert.Equal(11f, Reference.Download(device, c, 1)[0]);
    }

    [Fact]
    public void Gemm_gives_the_same_bits_for_any_thread_count()
    {
        var a = Reference.RandomFloats(80 * 300, 5);
        var b = Reference.RandomFloats(300 * 123, 6);
        float[]? first = null;
        foreach (var threads in new[] { 1, 2, 3 })
        {
            using var device = new CpuDevice(threads) { ParallelThreshold = 0 };
            using var da = Reference.Upload(device, a);
            using var db = Reference.Upload(device, b);
            using var dc = device.Allocate(80 * 123);
            device.Gemm(false, false, 80, 123, 300, 1, da, db, 0, dc);
            var result = Reference.Download(device, dc, 80 * 123);
            first ??= result;
            Assert.Equal(first, result);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(80, 1000)]
    [InlineData(7, 37)]
    public void Bias_add_and_row_sums_match_the_reference(int rows, int columns)
    {
        using var device = new CpuDevice(2) { ParallelThreshold = 0 };
        var matrix = Reference.RandomFloats(rows * columns, 1);
        var row = Reference.RandomFloats(columns, 2);
        using var dm = Reference.Upload(device, matrix);
        using var dr = Reference.Upload(device, row);
        using var sums = device.Allocate(columns);
        device.SumOverRows(dm, rows, columns, sums);
        var actualSums = Reference.Download(device, sums, columns);
        device.AddRowBroadcast(dm, dr, rows, columns);
        var added = Reference.Download(device, dm, rows * columns);
        for (var j = 0; j < columns; j++)
        {
            var expected = 0.0;
            for (var r = 0; r < rows; r++)
            {
                expected += matrix[r * columns + j];
                Assert.Equal(matrix[r * columns + j] + row[j], added[r * columns + j]);
            }

            Assert.Equal(expected, actualSums[j], 1e-4);
        }
    }

    [Theory]
    [InlineData(Activation.Linear)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Softplus)]
    [InlineData(Activation.XTanh)]
    [InlineData(Activation.X2Tanh)]
    public void Activations_and_their_derivatives_match_float64(Activation activation)
    {
        using var device = new CpuDevice(2) { ParallelThreshold = 0 };
        const int length = 1037;
        var z = Reference.RandomFloats(length, 3, scale: 6);
        var dy = Reference.RandomFloats(length, 4);
        using var dz = Reference.Upload(device, z);
        using var ddy = Reference.Upload(device, dy);
        using var y = device.Allocate(length);
        using var grad = device.Allocate(length);
        device.ActivationForward(activation, dz, y, length);
        device.ActivationBackward(activation, dz, ddy, grad, length);
        var ys = Reference.Download(device, y, length);
        var gs = Reference.Download(device, grad, length);
        for (var i = 0; i < length; i++)
        {
            var expectedY = Model.HostActivation.Apply(activation, z[i]);
            var expectedG = dy[i] * Reference.Derivative(activation, z[i]);
            Assert.True(Math.Abs(ys[i] - expectedY) <= 2e-6 * Math.Max(1, Math.Abs(expectedY)), $"{activation}({z[i]}) = {ys[i]}, expected {expectedY}");
            Assert.True(Math.Abs(gs[i] - expectedG) <= 2e-5 * Math.Max(1, Math.Abs(expectedG)), $"{activation}'({z[i]})·{dy[i]} = {gs[i]}, expected {expectedG}");
        }
    }

    [Fact]
    public void Mse_returns_the_mean_square_and_its_gradient()
    {
        using var device = new CpuDevice(1);
        using var p = Reference.Upload(device, [1, 2, 4]);
        using var t = Reference.Upload(device, [0, 2, 1]);
        using var g = device.Allocate(3);
        var loss = device.MseLossAndGradient(p, t, g, 3);
        Assert.Equal(10.0 / 3, loss, 12);
        Assert.Equal([2f / 3, 0f, 2f], Reference.Download(device, g, 3));
    }

    [Fact]
    public void Gradient_descent_and_adam_match_hand_computed_updates()
    {
        using var device = new CpuDevice(2) { ParallelThreshold = 0 };
        const int length = 19;
        var p0 = Reference.RandomFloats(length, 7);
        var g1 = Reference.RandomFloats(length, 8);
        var g2 = Reference.RandomFloats(length, 9);
        using var p = Reference.Upload(device, p0);
        using var g = Reference.Upload(device, g1);
        device.GradientDescentStep(p, g, 0.1f, length);
        var afterGd = Reference.Download(device, p, length);
        for (var i = 0; i < length; i++)
        {
            Assert.True(Math.Abs(p0[i] - 0.1 * g1[i] - afterGd[i]) <= 1e-6);
        }

        // Adam, two steps, against PyTorch's formula in float64.
        device.Upload(p0, p);
        using var m = device.Allocate(length);
        using var v = device.Allocate(length);
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var expected = p0.Select(x => (double)x).ToArray();
        var em = new double[length];
        var ev = new double[length];
        var step = 0;
        foreach (var gradient in new[] { g1, g2 })
        {
            step++;
            device.Upload(gradient, g);
            device.AdamStep(p, g, m, v, new AdamStepParameters((float)lr, (float)b1, (float)b2, (float)eps, step), length);
            for (var i = 0; i < length; i++)
            {
                em[i] = b1 * em[i] + (1 - b1) * gradient[i];
                ev[i] = b2 * ev[i] + (1 - b2) * gradient[i] * gradient[i];
                var denominator = Math.Sqrt(ev[i]) / Math.Sqrt(1 - Math.Pow(b2, step)) + eps;
                expected[i] -= lr / (1 - Math.Pow(b1, step)) * em[i] / denominator;
            }
        }

        var actual = Reference.Download(device, p, length);
        for (var i = 0; i < length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"[{i}] {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void Buffers_of_another_device_are_refused()
    {
        using var one = new CpuDevice(1);
        using var two = new CpuDevice(1);
        using var buffer = two.Allocate(4);
        Assert.Throws<ArgumentException>(() => one.Fill(buffer, 1));
        Assert.Equal("cpu", one.Kind);
    }
}
