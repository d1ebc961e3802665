using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>Antisymmetric initialization: paired neurons with negated output weights, so the network starts at f ≡ 0.</summary>
public class AntisymmetricInitTests
{
    private static ModelSpec Spec(int width, bool antisymmetric, bool outputBias = false) => new("net", 2, [
        new LayerSpec("hidden", LayerKind.Dense, width, Activation.Relu, true, null),
        new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, outputBias, null)], _ => 0.5, antisymmetric);

    [Fact]
    public void The_initial_output_is_zero_and_the_neurons_come_in_pairs()
    {
        using var device = new CpuDevice(1);
        using var model = FeedForwardModel.Create(device, Spec(10, antisymmetric: true, outputBias: true), seed: 3, capacity: 4);
        var w = model.ReadParameter("hidden.weight");
        var b = model.ReadParameter("hidden.bias");
        var a = model.ReadParameter("out.weight");
        for (var k = 0; k < 5; k++)
        {
            Assert.Equal(w.AsSpan(2 * k, 2).ToArray(), w.AsSpan(2 * (k + 5), 2).ToArray());
            Assert.Equal(b[k], b[k + 5]);
            Assert.Equal(-a[k], a[k + 5]);
            Assert.NotEqual(0, a[k]);
        }

        Assert.Equal([0.0], model.ReadParameter("out.bias"));
        using var x = Reference.Upload(device, [0.3f, -1f, 2f, 0.5f, -0.7f, -0.2f, 1.5f, 1.5f]);
        var output = Reference.Download(device, model.Forward(x, 4), 4);
        Assert.All(output, value => Assert.True(Math.Abs(value) <= 1e-6, $"f(x) = {value}"));
    }

    [Fact]
    public void Without_the_option_the_output_is_not_zero()
    {
        using var device = new CpuDevice(1);
        using var model = FeedForwardModel.Create(device, Spec(10, antisymmetric: false), seed: 3, capacity: 4);
        using var x = Reference.Upload(device, [0.3f, -1f, 2f, 0.5f, -0.7f, -0.2f, 1.5f, 1.5f]);
        Assert.Contains(Reference.Download(device, model.Forward(x, 4), 4), value => Math.Abs(value) > 1e-3);
    }

    [Fact]
    public void An_odd_hidden_width_is_refused()
    {
        using var device = new CpuDevice(1);
        var error = Assert.Throws<ArgumentException>(() => FeedForwardModel.Create(device, Spec(7, antisymmetric: true), seed: 1, capacity: 1));
        Assert.Contains("even width", error.Message);
    }
}
