using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Runtime.Tests;

/// <summary>Float64 reference computations and helpers shared by the tests.</summary>
internal static class Reference
{
    public static float[] RandomFloats(int length, int seed, double scale = 1)
    {
        var random = new System.Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }

        return values;
    }

    /// <summary>C = α·op(A)·op(B) + β·C in float64.</summary>
    public static double[] Gemm(bool transposeA, bool transposeB, int m, int n, int k, double alpha, float[] a, float[] b, double beta, float[] c)
    {
        var result = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < k; p++)
                {
                    var x = transposeA ? a[p * m + i] : a[i * k + p];
                    var y = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += (double)x * y;
                }

                result[i * n + j] = alpha * sum + beta * c[i * n + j];
            }
        }

        return result;
    }

    public static double Derivative(Activation activation, double z)
    {
        const double h = 1e-6;
        return activation == Activation.Relu
            ? (z > 0 ? 1 : 0)
            : (Model.HostActivation.Apply(activation, z + h) - Model.HostActivation.Apply(activation, z - h)) / (2 * h);
    }

    public static float[] Download(IDevice device, DeviceBuffer buffer, int length)
    {
        var values = new float[length];
        device.Download(buffer, values);
        return values;
    }

    public static DeviceBuffer Upload(IDevice device, float[] values)
    {
        var buffer = device.Allocate(values.Length);
        device.Upload(values, buffer);
        return buffer;
    }
}

/// <summary>
/// Forwards to a device but hides its optional capabilities (fused dense passes), so tests also cover the model's
/// composition of plain IDevice operations, which devices without fusion run.
/// </summary>
internal sealed class PlainDevice(IDevice inner) : IDevice
{
    public string Name => "plain " + inner.Name;

    public string Kind => inner.Kind;

    public DeviceBuffer Allocate(int length) => inner.Allocate(length);

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination) => inner.Upload(source, destination);

    public void Download(DeviceBuffer source, Span<float> destination) => inner.Download(source, destination);

    public void Fill(DeviceBuffer buffer, float value) => inner.Fill(buffer, value);

    public void Copy(DeviceBuffer source, DeviceBuffer destination) => inner.Copy(source, destination);

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, DeviceBuffer a, DeviceBuffer b, float beta, DeviceBuffer c) =>
        inner.Gemm(transposeA, transposeB, m, n, k, alpha, a, b, beta, c);

    public void AddRowBroadcast(DeviceBuffer matrix, DeviceBuffer row, int rows, int columns) => inner.AddRowBroadcast(matrix, row, rows, columns);

    public void SumOverRows(DeviceBuffer matrix, int rows, int columns, DeviceBuffer result) => inner.SumOverRows(matrix, rows, columns, result);

    public void ActivationForward(Activation activation, DeviceBuffer z, DeviceBuffer y, int length) => inner.ActivationForward(activation, z, y, length);

    public void ActivationBackward(Activation activation, DeviceBuffer z, DeviceBuffer dy, DeviceBuffer dz, int length) =>
        inner.ActivationBackward(activation, z, dy, dz, length);

    public void Multiply(DeviceBuffer x, DeviceBuffer mask, DeviceBuffer y, int length) => inner.Multiply(x, mask, y, length);

    public double MseLossAndGradient(DeviceBuffer prediction, DeviceBuffer target, DeviceBuffer gradient, int length) =>
        inner.MseLossAndGradient(prediction, target, gradient, length);

    public void GradientDescentStep(DeviceBuffer parameter, DeviceBuffer gradient, float learningRate, int length) =>
        inner.GradientDescentStep(parameter, gradient, learningRate, length);

    public void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, AdamStepParameters hyper, int length) =>
        inner.AdamStep(parameter, gradient, firstMoment, secondMoment, hyper, length);

    public void Synchronize() => inner.Synchronize();

    public void Dispose() => inner.Dispose();
}
