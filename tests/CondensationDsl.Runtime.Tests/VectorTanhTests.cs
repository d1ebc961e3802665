using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;

namespace CondensationDsl.Runtime.Tests;

/// <summary>The CPU device's vectorised tanh: accuracy against float64, oddness, exact 0 and ±1, and split independence.</summary>
public class VectorTanhTests
{
    /// <summary>Values from 1e-30 to 50 on a log scale, both signs, with 0, −0, the polynomial limit and NaN.</summary>
    private static float[] Inputs()
    {
        var values = new List<float> { 0f, -0f, 0.625f, -0.625f, 0.62499997f, 9f, 44f, 89f, float.PositiveInfinity, float.NegativeInfinity };
        for (var e = -30.0; e <= Math.Log10(50); e += 0.01)
        {
            var x = (float)Math.Pow(10, e);
            values.Add(x);
            values.Add(-x);
        }

        return [.. values];
    }

    private static float[] Forward(float[] input, Activation activation = Activation.Tanh)
    {
        using var device = new CpuDevice(1);
        using var z = Reference.Upload(device, input);
        using var y = device.Allocate(input.Length);
        device.ActivationForward(activation, z, y, input.Length);
        return Reference.Download(device, y, input.Length);
    }

    [Fact]
    public void Tanh_is_within_a_few_ulps_of_float64_everywhere()
    {
        var input = Inputs();
        var output = Forward(input);
        for (var i = 0; i < input.Length; i++)
        {
            var expected = Math.Tanh(input[i]);
            var error = Math.Abs(output[i] - expected) / Math.Max(Math.Abs(expected), 1e-45);
            Assert.True(error <= 4e-7, $"tanh({input[i]:R}) = {output[i]:R}, float64 {expected:R}, relative error {error:E2}");
        }
    }

    [Fact]
    public void Tanh_is_odd_exact_at_zero_and_saturates_to_one()
    {
        var input = Inputs();
        var output = Forward(input);
        var negated = Forward(input.Select(x => -x).ToArray());
        for (var i = 0; i < input.Length; i++)
        {
            Assert.Equal(-output[i], negated[i]);
        }

        Assert.Equal(0f, Forward([0f])[0]);
        Assert.Equal([1f, -1f, 1f], Forward([44f, -89f, float.PositiveInfinity]));
        Assert.True(float.IsNaN(Forward([float.NaN])[0]));
    }

    [Fact]
    public void An_elements_value_does_not_depend_on_where_the_vector_tail_falls()
    {
        var input = Inputs();
        var whole = Forward(input);
        for (var skip = 1; skip < 9; skip++)
        {
            var shifted = Forward(input[skip..]);
            Assert.Equal(whole[skip..], shifted);
        }
    }

    [Fact]
    public void Tanh_based_activations_use_the_same_tanh()
    {
        float[] input = [1e-6f, 0.3f, 2f, -5f];
        var tanh = Forward(input);
        var xtanh = Forward(input, Activation.XTanh);
        for (var i = 0; i < input.Length; i++)
        {
            Assert.Equal(input[i] * tanh[i], xtanh[i]);
        }
    }
}

/// <summary>The host activations are the Analysis project's formulas, for every device activation.</summary>
public class HostActivationTests
{
    [Fact]
    public void Every_device_activation_maps_to_the_analysis_activation_of_the_same_name()
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            Assert.Equal(activation.ToString(), Model.HostActivation.ToAnalysis(activation).ToString());
        }

        Assert.Equal(Enum.GetValues<Activation>().Length, Enum.GetValues<Analysis.NeuronActivation>().Length);
    }

    [Theory]
    [InlineData(Activation.Tanh, 0.5, 0.46211715726000974)]
    [InlineData(Activation.Softplus, -40.0, 4.248354255291589e-18)]
    [InlineData(Activation.X2Tanh, -2.0, -3.8561103203032676)]
    public void Host_values_are_float64_references(Activation activation, double z, double expected) =>
        Assert.Equal(expected, Model.HostActivation.Apply(activation, z), 15);
}
