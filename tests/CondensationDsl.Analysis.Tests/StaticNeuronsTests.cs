using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class StaticNeuronsTests
{
    [Fact]
    public void NeuronNeverPositiveIsStatic()
    {
        // 3 inputs × 3 neurons: neuron 0 always negative, neuron 1 positive once, neuron 2 exactly zero everywhere.
        double[] z =
        [
            -1, -1, 0,
            -2, 0.5, 0,
            -0.1, -3, 0,
        ];
        Assert.Equal([true, false, true], StaticNeurons.FromPreActivations(z, 3, 3));
    }

    [Fact]
    public void NaNIsNotTakenAsDead()
    {
        Assert.Equal([false], StaticNeurons.FromPreActivations([double.NaN, -1.0], 2, 1));
    }

    [Fact]
    public void DenseLayerOnData()
    {
        // x ∈ {−1, 0, 1}. Neuron 0: z = x − 2 ≤ −1 (dead). Neuron 1: z = −x + 0.5 > 0 at x = −1. Neuron 2: z ≡ 0 (dead).
        double[] x = [-1, 0, 1];
        var flags = StaticNeurons.FromDense(x, 3, 1, [1, -1, 0], [-2, 0.5, 0], 3);
        Assert.Equal([true, false, true], flags);
    }

    [Fact]
    public void DenseLayerWithoutBias()
    {
        double[] x = [1, 1, 2, -1];
        // Neuron 0: w = (−1, −1): z = −2, −1 → static. Neuron 1: w = (1, 0): z = 1 → not.
        Assert.Equal([true, false], StaticNeurons.FromDense(x, 2, 2, [-1, -1, 1, 0], [], 2));
    }
}
