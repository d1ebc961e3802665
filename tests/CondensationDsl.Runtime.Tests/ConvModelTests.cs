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

    /// <summary>conv → max pool 2×2 → conv → global average pool → dense, on 2×6×6 images.</summary>
    private static ModelSpec CnnWithPooling() => new("pooled", 72, [
        new LayerSpec("c1", LayerKind.Conv, 3, Activation.Tanh, true, null) { Kernel = 3, Padding = 1 },
        new LayerSpec("p1", LayerKind.MaxPool, 0, Activation.Linear, false, null) { Kernel = 2, Stride = 2 },
        new LayerSpec("c2", LayerKind.Conv, 2, Activation.Softplus, true, null) { Kernel = 2 },
        new LayerSpec("g", LayerKind.AvgPool, 0, Activation.Linear, false, null) { Kernel = 0 },
        new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], fanIn => 1.0 / Math.Sqrt(fanIn))
    {
        InputShape = new ImageShape(2, 6, 6),
    };

    public static TheoryData<string, string> Cases() => new()
    {
        { "cpu", "conv" }, { "ilgpu-cpu", "conv" }, { "cpu", "pooled" }, { "ilgpu-cpu", "pooled" },
    };

    private static ModelSpec Cnn() => new("cnn", Input.Length, [
        new LayerSpec("c1", LayerKind.Conv, 3, Activation.Tanh, true, null) { Kernel = 3, Padding = 1 },
        new LayerSpec("c2", LayerKind.Conv, 2, Activation.Softplus, true, null) { Kernel = 2, Stride = 2 },
        new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], fanIn => 1.0 / Math.Sqrt(fanIn))
    {
        InputShape = Input,
    };

    private static IDevice CreateDevice(string kind) => kind switch
    {
        "cpu" => new CpuDevice(2) { ParallelThreshold = 0 },
        "ilgpu-cpu" => CondensationDsl.Kernels.IlgpuDevices.Create("ilgpu-cpu"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_backward_match_a_float64_network_and_finite_differences(string deviceKind, string modelName)
    {
        using var device = CreateDevice(deviceKind);
        var spec = modelName == "conv" ? Cnn() : CnnWithPooling();
        using (var model = FeedForwardModel.Create(device, spec, seed: 5, capacity: Rows))
        {
            Assert.Equal(["c1.weight", "c1.bias", "c2.weight", "c2.bias", "out.weight"], model.Parameters.Select(p => p.Name));
        }

        Float64ModelCheck.Run(device, spec, Rows, seed: 5, dataSeed: 31, inputScale: 1.0, (parameters, x) => Forward(spec, parameters, x), $"{deviceKind} {modelName}");
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

    /// <summary>The float64 forward, layer by layer (conv + activation, pooling, the dense head); parameters in model order.</summary>
    private static double[] Forward(ModelSpec spec, double[][] p, float[] x)
    {
        var result = new double[Rows];
        var shape = spec.InputShape!.Value;
        for (var r = 0; r < Rows; r++)
        {
            var values = x.Skip(r * shape.Length).Take(shape.Length).Select(v => (double)v).ToArray();
            var (channels, height, width) = (shape.Channels, shape.Height, shape.Width);
            var next = 0;
            foreach (var layer in spec.Layers)
            {
                switch (layer.Kind)
                {
                    case LayerKind.Conv:
                        (values, height, width) = Conv(values, channels, height, width, p[next], p[next + 1], layer.Width, layer.Kernel, layer.Stride, layer.Padding, layer.Activation);
                        channels = layer.Width;
                        next += 2;
                        break;
                    case LayerKind.MaxPool or LayerKind.AvgPool:
                        (values, height, width) = layer.Kernel == 0
                            ? Pool(values, channels, height, width, height, width, 1, layer.Kind == LayerKind.MaxPool)
                            : Pool(values, channels, height, width, layer.Kernel, layer.Kernel, layer.Stride, layer.Kind == LayerKind.MaxPool);
                        break;
                    default:
                        result[r] = values.Select((v, i) => v * p[next][i]).Sum();
                        break;
                }
            }
        }

        return result;
    }

    private static (double[] Output, int Height, int Width) Pool(
        double[] input, int channels, int height, int width, int window, int windowWidth, int stride, bool max)
    {
        var outHeight = ((height - window) / stride) + 1;
        var outWidth = ((width - windowWidth) / stride) + 1;
        var output = new double[channels * outHeight * outWidth];
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < outHeight; i++)
            {
                for (var j = 0; j < outWidth; j++)
                {
                    var cells = from u in Enumerable.Range(0, window)
                                from v in Enumerable.Range(0, windowWidth)
                                select input[(((c * height) + (i * stride) + u) * width) + (j * stride) + v];
                    output[(((c * outHeight) + i) * outWidth) + j] = max ? cells.Max() : cells.Average();
                }
            }
        }

        return (output, outHeight, outWidth);
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

}
