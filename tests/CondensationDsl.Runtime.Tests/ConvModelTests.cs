using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// Convolution layers inside a model: image rows through conv → conv → dense, against a float64 forward written here
/// (direct loops) and central finite differences of its loss, on the CPU device and on ILGPU's CPU accelerator; and the
/// two devices training the same small CNN to the same losses.
/// </summary>
public sealed class ConvModelTests
{
    private const int Rows = 3;
    private static readonly ImageShape Input = new(2, 5, 4);

    private static ModelSpec Cnn() => new("cnn", Input.Length, [
        new LayerSpec("c1", LayerKind.Conv, 3, Activation.Tanh, true, null) { Kernel = 3, Padding = 1 },
        new LayerSpec("c2", LayerKind.Conv, 2, Activation.Softplus, true, null) { Kernel = 2, Stride = 2 },
        new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], fanIn => 1.0 / Math.Sqrt(fanIn))
    {
        InputShape = Input,
    };

    public static TheoryData<string> Devices() => ["cpu", "ilgpu-cpu"];

    private static IDevice CreateDevice(string kind) => kind switch
    {
        "cpu" => new CpuDevice(2) { ParallelThreshold = 0 },
        "ilgpu-cpu" => CondensationDsl.Kernels.IlgpuDevices.Create("ilgpu-cpu"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    [Theory]
    [MemberData(nameof(Devices))]
    public void Forward_and_backward_match_a_float64_convolution_and_finite_differences(string deviceKind)
    {
        using var device = CreateDevice(deviceKind);
        var spec = Cnn();
        using var model = FeedForwardModel.Create(device, spec, seed: 5, capacity: Rows);
        Assert.Equal(["c1.weight", "c1.bias", "c2.weight", "c2.bias", "out.weight"], model.Parameters.Select(p => p.Name));
        var x = Reference.RandomFloats(Rows * Input.Length, 31, scale: 1.0);
        var y = Reference.RandomFloats(Rows, 32);
        using var dx = Reference.Upload(device, x);
        using var dy = Reference.Upload(device, y);
        using var grad = device.Allocate(Rows);

        var output = model.Forward(dx, Rows);
        var deviceLoss = device.MseLossAndGradient(output, dy, grad, Rows);
        model.Backward(dx, grad, Rows);

        var parameters = model.Parameters.Select(p => Reference.Download(device, p.Value, p.Length).Select(v => (double)v).ToArray()).ToArray();
        var predictions = Forward(parameters, x);
        var deviceOutput = Reference.Download(device, output, Rows);
        for (var i = 0; i < Rows; i++)
        {
            Assert.True(Math.Abs(deviceOutput[i] - predictions[i]) <= 1e-5 * Math.Max(1, Math.Abs(predictions[i])), $"output {i}: {deviceOutput[i]} vs {predictions[i]}");
        }

        Assert.True(Math.Abs(deviceLoss - Loss(parameters, x, y)) <= 1e-5 * Math.Max(1, deviceLoss));
        for (var p = 0; p < parameters.Length; p++)
        {
            var deviceGradient = Reference.Download(device, model.Parameters[p].Gradient, model.Parameters[p].Length);
            for (var i = 0; i < parameters[p].Length; i++)
            {
                const double h = 1e-6;
                var saved = parameters[p][i];
                parameters[p][i] = saved + h;
                var up = Loss(parameters, x, y);
                parameters[p][i] = saved - h;
                var down = Loss(parameters, x, y);
                parameters[p][i] = saved;
                var numeric = (up - down) / (2 * h);
                Assert.True(
                    Math.Abs(deviceGradient[i] - numeric) <= 1e-4 * Math.Max(1, Math.Abs(numeric)),
                    $"{deviceKind} {model.Parameters[p].Name}[{i}]: device {deviceGradient[i]}, finite differences {numeric}");
            }
        }
    }

    [Fact]
    public void The_cpu_device_and_ilgpus_cpu_accelerator_train_a_small_cnn_to_the_same_losses()
    {
        var data = new UniformDataSpec("train", -1, 1, 16, Input.Length, x => Math.Tanh(x[0] + x[7] - x[13]));
        var training = new TrainingSpec(LossKind.Mse, new AdamSpec(1e-2, 0.9, 0.999, 1e-8), DurationUnit.Steps, 20, null);
        double[] Losses(string kind)
        {
            using var device = CreateDevice(kind);
            var sink = new MemorySink();
            Trainer.Run(new RunContext(device, new Dictionary<string, double>(), sink, null, CancellationToken.None), Cnn(), data, training,
                [new ObservationSpec(new EveryScheduleSpec(1), [new LossMeasure()])]);
            return sink.Column("loss");
        }

        var cpu = Losses("cpu");
        var ilgpu = Losses("ilgpu-cpu");
        Assert.Equal(21, cpu.Length);
        Assert.True(cpu[^1] < cpu[0], $"training lowers the loss: {cpu[0]} → {cpu[^1]}");
        for (var i = 0; i < cpu.Length; i++)
        {
            Assert.True(Math.Abs(cpu[i] - ilgpu[i]) <= 1e-4 * Math.Max(1e-3, cpu[i]), $"step {i}: cpu {cpu[i]}, ilgpu {ilgpu[i]}");
        }
    }

    /// <summary>The float64 forward: conv (zero padding) + activation, twice, then the dense head; parameters in model order.</summary>
    private static double[] Forward(double[][] p, float[] x)
    {
        var result = new double[Rows];
        for (var r = 0; r < Rows; r++)
        {
            var image = x.Skip(r * Input.Length).Take(Input.Length).Select(v => (double)v).ToArray();
            var (a1, h1, w1) = Conv(image, Input.Channels, Input.Height, Input.Width, p[0], p[1], 3, 3, 1, 1, Activation.Tanh);
            var (a2, _, _) = Conv(a1, 3, h1, w1, p[2], p[3], 2, 2, 2, 0, Activation.Softplus);
            result[r] = a2.Select((v, i) => v * p[4][i]).Sum();
        }

        return result;
    }

    private static (double[] Output, int Height, int Width) Conv(
        double[] input, int channels, int height, int width, double[] weight, double[] bias, int filters, int kernel, int stride, int pad, Activation activation)
    {
        var outHeight = ((height + (2 * pad) - kernel) / stride) + 1;
        var outWidth = ((width + (2 * pad) - kernel) / stride) + 1;
        var output = new double[filters * outHeight * outWidth];
        for (var k = 0; k < filters; k++)
        {
            for (var i = 0; i < outHeight; i++)
            {
                for (var j = 0; j < outWidth; j++)
                {
                    var z = bias[k];
                    for (var c = 0; c < channels; c++)
                    {
                        for (var u = 0; u < kernel; u++)
                        {
                            for (var v = 0; v < kernel; v++)
                            {
                                var (row, column) = ((i * stride) + u - pad, (j * stride) + v - pad);
                                if (row >= 0 && row < height && column >= 0 && column < width)
                                {
                                    z += weight[(((k * channels) + c) * kernel + u) * kernel + v] * input[(((c * height) + row) * width) + column];
                                }
                            }
                        }
                    }

                    output[(((k * outHeight) + i) * outWidth) + j] = HostActivation.Apply(activation, z);
                }
            }
        }

        return (output, outHeight, outWidth);
    }

    private static double Loss(double[][] parameters, float[] x, float[] y) =>
        Forward(parameters, x).Select((p, i) => (p - y[i]) * (p - y[i])).Sum() / Rows;
}
