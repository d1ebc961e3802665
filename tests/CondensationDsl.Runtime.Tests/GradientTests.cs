using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// Tiny dense nets on 7 samples: the device's forward pass against a float64 forward of the same weights, and its
/// gradients against central finite differences of the float64 loss. The shapes cover the plain composition, the
/// fused single-layer passes, and the fused hidden-layer + scalar-head pass (vector body, tails, 2 inputs, with dX).
/// The same checks run on the ILGPU device (its CPU simulator), whose layers use only the plain IDevice operations.
/// </summary>
public class GradientTests
{
    private const int Rows = 7;

    private static readonly string[] Shapes = ["3-5-4n-1", "1-70-1n", "2-9-1", "1-6-37-1n"];

    /// <summary>cpu: the CPU device with its fused passes; cpu-plain: the same device seen only through IDevice; ilgpu-cpu.</summary>
    public static TheoryData<Activation, string, string> Cases()
    {
        var data = new TheoryData<Activation, string, string>();
        foreach (var activation in Enum.GetValues<Activation>())
        {
            foreach (var shape in Shapes)
            {
                data.Add(activation, "cpu", shape);
                data.Add(activation, "cpu-plain", shape);
                data.Add(activation, "ilgpu-cpu", shape);
            }
        }

        return data;
    }

    private static IDevice CreateDevice(string kind) => kind switch
    {
        "cpu" => new CpuDevice(2) { ParallelThreshold = 0 },
        "cpu-plain" => new PlainDevice(new CpuDevice(2) { ParallelThreshold = 0 }),
        "ilgpu-cpu" => CondensationDsl.Kernels.IlgpuDevices.Create("ilgpu-cpu"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>"3-5-4n-1": 3 inputs, hidden layers of 5 and 4 (n: no bias) with σ, and a linear output layer.</summary>
    private static ModelSpec Parse(string shape, Activation activation)
    {
        var parts = shape.Split('-');
        var layers = new List<LayerSpec>();
        for (var i = 1; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var width = int.Parse(parts[i].TrimEnd('n'));
            layers.Add(new LayerSpec(last ? "out" : $"h{i}", LayerKind.Dense, width, last ? Activation.Linear : activation, !parts[i].EndsWith('n'), last ? _ => 0.7 : null));
        }

        // std ∝ fan-in^−½ keeps x²·tanh(x) nets in a range where float32 gradients are accurate to 1e-4.
        return new ModelSpec("net", int.Parse(parts[0]), layers, fanIn => 1.2 / Math.Sqrt(fanIn));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_finite_differences_of_a_float64_forward(Activation activation, string deviceKind, string shape) =>
        CheckAgainstFloat64(activation, deviceKind, shape, Parse(shape, activation));

    /// <summary>`scale e` (the phase diagram's 1/α): f = s·out in the forward pass, and every gradient carries the factor s.</summary>
    [Theory]
    [InlineData(Activation.Relu, "cpu", "1-70-1n", 0.03)]
    [InlineData(Activation.Relu, "cpu-plain", "1-70-1n", 0.03)]
    [InlineData(Activation.Relu, "ilgpu-cpu", "1-70-1n", 0.03)]
    [InlineData(Activation.Tanh, "cpu", "3-5-4n-1", 2.5)]
    [InlineData(Activation.Tanh, "ilgpu-cpu", "3-5-4n-1", 2.5)]
    public void An_output_scale_multiplies_the_output_and_its_gradients(Activation activation, string deviceKind, string shape, double scale) =>
        CheckAgainstFloat64(activation, deviceKind, shape, Parse(shape, activation) with { OutputScale = scale });

    private static void CheckAgainstFloat64(Activation activation, string deviceKind, string shape, ModelSpec spec)
    {
        using var device = CreateDevice(deviceKind);
        Float64ModelCheck.Run(device, spec, Rows, seed: 11, dataSeed: 21, inputScale: 1.5, (parameters, x) => Forward(spec, parameters, x), $"{activation} {shape}");
    }

    /// <summary>The float64 forward pass: parameters in the model's order (weight, then bias when present, per layer).</summary>
    private static double[] Forward(ModelSpec spec, double[][] parameters, float[] x)
    {
        var input = x.Select(v => (double)v).ToArray();
        var width = spec.InputSize;
        var index = 0;
        foreach (var layer in spec.Layers)
        {
            var w = parameters[index++];
            var b = layer.Bias ? parameters[index++] : new double[layer.Width];
            var next = new double[Rows * layer.Width];
            for (var r = 0; r < Rows; r++)
            {
                for (var o = 0; o < layer.Width; o++)
                {
                    var z = b[o];
                    for (var i = 0; i < width; i++)
                    {
                        z += w[o * width + i] * input[r * width + i];
                    }

                    next[r * layer.Width + o] = HostActivation.Apply(layer.Activation, z);
                }
            }

            input = next;
            width = layer.Width;
        }

        return input.Select(v => v * spec.OutputScale).ToArray();
    }

}
