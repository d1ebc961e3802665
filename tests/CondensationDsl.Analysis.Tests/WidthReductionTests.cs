using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class WidthReductionTests
{
    // A 1-D-input layer with bias, worked by hand (τ = 0.9, ε = 1e-3). u_k = (w_k, b_k), A_k = |a_k|·‖u_k‖:
    //   0: u = (1, 0),     a = 2     → A = 2
    //   1: u = (2, 0),     a = 1     → A = 2        same direction as 0; ties go by index, so 0 leads
    //   2: u = (−1, 0),    a = 1     → A = 1        opposite to 0: never merged (signed)
    //   3: u = (0, 3),     a = −1    → A = 3        largest: first leader
    //   4: u = (0.001, 0), a = 0.001 → A = 1e-6     below 1e-3·3: negligible, dropped
    //   5: u = (1, 1),     a = 1     → A = √2       cosine 1/√2 with both (1, 0) and (0, 3): its own group
    //   6: u = (3, 0.1),   a = 0.5   → A = 0.5·√9.01, cosine 3/√9.01 ≈ 0.9994 with (1, 0): joins 0
    //   7: u = (5, 5),     a = 100   → static: dropped whatever its size, and not the amplitude scale
    private static readonly double[] W = [1, 2, -1, 0, 0.001, 1, 3, 5];
    private static readonly double[] B = [0, 0, 0, 3, 0, 1, 0.1, 5];
    private static readonly double[] A = [2, 1, 1, -1, 0.001, 1, 0.5, 100];
    private static readonly bool[] Static = [false, false, false, false, false, false, false, true];

    [Fact]
    public void HandComputedLayerMergesParallelNeuronsIntoTheirLeader()
    {
        var reduced = WidthReduction.Reduce(W, 8, 1, B, A, 1, Static, 0.9, 1e-3);

        Assert.Equal(8, reduced.WidthBefore);
        Assert.Equal(4, reduced.WidthAfter);
        Assert.Equal([0, 2, 3, 5], reduced.Kept);
        Assert.Equal([0, 0, 2, 3, -1, 5, 0, -1], reduced.Groups);
        Assert.Equal(1, reduced.StaticCount);
        Assert.Equal(1, reduced.NegligibleCount);
        Assert.Equal([1.0, -1, 0, 1], reduced.Weights);
        Assert.Equal([0.0, 0, 3, 1], reduced.Bias);

        // Leader 0: a_0 + a_1·‖u_1‖/‖u_0‖ + a_6·‖u_6‖/‖u_0‖ = 2 + 1·2 + 0.5·√9.01; the others keep their own a.
        Assert.Equal(4, reduced.NextWeights.Length);
        Assert.Equal(4 + (0.5 * Math.Sqrt(9.01)), reduced.NextWeights[0], 12);
        Assert.Equal([1.0, -1, 1], reduced.NextWeights[1..]);
    }

    [Fact]
    public void SeveralOutputsAreMergedColumnByColumnAndTheirNormSetsTheAmplitude()
    {
        // Neurons 0 and 1 share a direction (‖u_1‖ = 2‖u_0‖); A is 2×3 (outputs×neurons). Outgoing norms √5, 5, √0.3125 make
        // the amplitudes √10, 10√2, ≈0.56: neuron 1 leads and neuron 0 merges into it with factor ‖u_0‖/‖u_1‖ = 1/2.
        double[] w = [1, 2, 0];
        double[] b = [1, 2, 1];
        double[] a = [1, 3, 0.5, -2, 4, 0.25];
        var reduced = WidthReduction.Reduce(w, 3, 1, b, a, 2, new bool[3], 0.99, 1e-3);

        Assert.Equal([1, 2], reduced.Kept);
        Assert.Equal([1, 1, 2], reduced.Groups);
        // Row o of the reduced A: (a_o1 + a_o0/2, a_o2).
        Assert.Equal([3 + 0.5, 0.5, 4 - 1.0, 0.25], reduced.NextWeights);
    }

    [Fact]
    public void ANegligibleNeuronJudgedByItsOutgoingNormIsDroppedEvenWithSeveralOutputs()
    {
        // Neuron 1's outgoing column (3e-4, 4e-4) has norm 5e-4: amplitude 5e-4 < 1e-3·1 (neuron 0's amplitude).
        double[] w = [1, 0];
        double[] b = [0, 1];
        double[] a = [1, 3e-4, 0, 4e-4];
        var reduced = WidthReduction.Reduce(w, 2, 1, b, a, 2, new bool[2], 0.9, 1e-3);
        Assert.Equal([0, -1], reduced.Groups);
        Assert.Equal(1, reduced.NegligibleCount);
        Assert.Equal([1.0, 0], reduced.NextWeights);
    }

    [Fact]
    public void AnExactlyCondensedReluLayerComputesTheSameFunctionAfterReduction()
    {
        // 40 neurons, each a positive multiple of one of 3 directions (w, b); the reduced layer has 3 neurons and the same
        // output Σ a_k relu(w_k x + b_k) at every x, not only on some data.
        double[][] basis = [[1, 0.3], [-2, 0.5], [0.7, -0.2]];
        var random = new System.Random(7);
        const int m = 40;
        var w = new double[m];
        var b = new double[m];
        var a = new double[m];
        for (var k = 0; k < m; k++)
        {
            var c = 0.1 + random.NextDouble();
            w[k] = c * basis[k % 3][0];
            b[k] = c * basis[k % 3][1];
            a[k] = random.NextDouble() - 0.5;
        }

        var reduced = WidthReduction.Reduce(w, m, 1, b, a, 1, new bool[m], 0.999, 0);
        Assert.Equal(3, reduced.WidthAfter);
        for (var x = -3.0; x <= 3.0; x += 0.01)
        {
            Assert.Equal(Network(w, b, a, x), Network(reduced.Weights, reduced.Bias, reduced.NextWeights, x), 12);
        }
    }

    [Fact]
    public void ALayerWithoutBiasComparesTheWeightsAlone()
    {
        // Without a bias u_k = w_k: (1, 1) merges into the larger (2, 2) with factor 1/2; the reduced bias stays empty.
        double[] w = [1, 1, 2, 2, 1, -1];
        var reduced = WidthReduction.Reduce(w, 3, 2, [], [1, 1, 1], 1, new bool[3], 0.99, 1e-3);
        Assert.Equal([1, 1, 2], reduced.Groups);
        Assert.Empty(reduced.Bias);
        Assert.Equal([2, 2, 1, -1.0], reduced.Weights);
        Assert.Equal([1 + 0.5, 1.0], reduced.NextWeights);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void AThresholdOutsideZeroToOneIsRefused(double threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WidthReduction.Reduce(W, 8, 1, B, A, 1, Static, threshold, 1e-3));

    [Fact]
    public void MismatchedNextWeightsAreRefused() =>
        Assert.Throws<ArgumentException>(() => WidthReduction.Reduce(W, 8, 1, B, A[..7], 1, Static, 0.9, 1e-3));

    private static double Network(double[] w, double[] b, double[] a, double x)
    {
        var sum = 0.0;
        for (var k = 0; k < w.Length; k++)
        {
            sum += a[k] * Math.Max(0, (w[k] * x) + b[k]);
        }

        return sum;
    }
}
