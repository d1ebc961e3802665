using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class EmbeddingTests
{
    public static TheoryData<NeuronActivation> Activations => new(Enum.GetValues<NeuronActivation>());

    [Theory]
    [MemberData(nameof(Activations))]
    public void DerivativesMatchCentralDifferences(NeuronActivation activation)
    {
        const double h = 1e-5;
        foreach (var z in new[] { -3.1, -0.7, -0.05, 0.3, 1.2, 4.0 })
        {
            var slope = (NeuronActivations.Value(activation, z + h) - NeuronActivations.Value(activation, z - h)) / (2 * h);
            var curvature = (NeuronActivations.Derivative(activation, z + h) - NeuronActivations.Derivative(activation, z - h)) / (2 * h);
            Assert.Equal(slope, NeuronActivations.Derivative(activation, z), 1e-8);
            Assert.Equal(curvature, NeuronActivations.SecondDerivative(activation, z), 1e-8);
        }
    }

    [Fact]
    public void ActivationValuesByHand()
    {
        Assert.Equal(0.0, NeuronActivations.Value(NeuronActivation.Relu, -2));
        Assert.Equal(0.5, NeuronActivations.Value(NeuronActivation.Sigmoid, 0));
        Assert.Equal(Math.Log(2), NeuronActivations.Value(NeuronActivation.Softplus, 0), 1e-15);
        Assert.Equal(4 * Math.Tanh(2), NeuronActivations.Value(NeuronActivation.X2Tanh, 2), 1e-15);
        Assert.Equal(3e-17, NeuronActivations.Value(NeuronActivation.Softplus, Math.Log(3e-17)), 1e-30);
        Assert.Equal(1.0, NeuronActivations.Value(NeuronActivation.Sigmoid, 800));
        Assert.Equal(0.0, NeuronActivations.Value(NeuronActivation.Sigmoid, -800));
    }

    [Fact]
    public void EvaluateByHand()
    {
        // h(x) = 2·relu(1·1 + 0·(−1) + 0.5) − 1·relu(−1·1 + 1·(−1) + 1) = 2·1.5 − 0 = 3.
        var net = new TwoLayerNet(2, 2, [1, 0, -1, 1], [0.5, 1], [2, -1], NeuronActivation.Relu);
        Assert.Equal(3.0, net.Evaluate([1, -1]));
    }

    [Fact]
    public void ParametersRoundTripInTheDocumentedLayout()
    {
        var net = new TwoLayerNet(2, 2, [1, 2, 3, 4], [5, 6], [7, 8], NeuronActivation.Tanh);
        Assert.Equal([1.0, 2, 3, 4, 5, 6, 7, 8], net.Parameters());
        var back = TwoLayerNet.FromParameters(2, 2, net.Parameters(), NeuronActivation.Tanh);
        Assert.Equal(net.InputWeights, back.InputWeights);
        Assert.Equal(net.Biases, back.Biases);
        Assert.Equal(net.OutputWeights, back.OutputWeights);
    }

    [Fact]
    public void ConstructorChecksLengths()
    {
        Assert.Throws<ArgumentException>(() => new TwoLayerNet(2, 2, [1, 2, 3], [5, 6], [7, 8], NeuronActivation.Tanh));
        Assert.Throws<ArgumentException>(() => new TwoLayerNet(2, 2, [1, 2, 3, 4], [5], [7, 8], NeuronActivation.Tanh));
        Assert.Throws<ArgumentException>(() => new TwoLayerNet(2, 2, [1, 2, 3, 4], [5, 6], [7], NeuronActivation.Tanh));
        Assert.Throws<ArgumentException>(() => TwoLayerNet.FromParameters(2, 2, [1, 2, 3], NeuronActivation.Tanh));
    }

    [Fact]
    public void SplitCopiesTheNeuronAndDividesItsOutputWeight()
    {
        var net = new TwoLayerNet(2, 2, [1, 2, 3, 4], [5, 6], [7, 8], NeuronActivation.Tanh);
        var split = Embedding.Split(net, 1, 0.25);
        Assert.Equal(3, split.Width);
        Assert.Equal([1.0, 2, 3, 4, 3, 4], split.InputWeights);
        Assert.Equal([5.0, 6, 6], split.Biases);
        Assert.Equal([7.0, 2, 6], split.OutputWeights);
        Assert.Equal([7.0, 8], net.OutputWeights); // the narrow net is untouched
    }

    [Theory]
    [InlineData(NeuronActivation.Tanh, 0.3)]
    [InlineData(NeuronActivation.Relu, 0.5)]
    [InlineData(NeuronActivation.X2Tanh, -0.7)]
    [InlineData(NeuronActivation.Softplus, 1.9)]
    public void SplitNetComputesTheSameFunction(NeuronActivation activation, double s)
    {
        var random = new Random(11);
        var net = Nets.Random(random, width: 4, inputs: 3, activation);
        var split = Embedding.Split(net, 2, s);
        for (var trial = 0; trial < 200; trial++)
        {
            double[] x = [4 * random.NextDouble() - 2, 4 * random.NextDouble() - 2, 4 * random.NextDouble() - 2];
            var narrow = net.Evaluate(x);
            Assert.Equal(narrow, split.Evaluate(x), 1e-13 * (1 + Math.Abs(narrow)));
        }
    }

    [Fact]
    public void SplitMapsTheGradientAtAnyPoint()
    {
        // ∂L/∂a of both copies = ∂L/∂a_k; ∂L/∂(w, b) of the copies = s and 1 − s times the narrow one; the rest unchanged.
        var random = new Random(5);
        var net = Nets.Random(random, width: 3, inputs: 2, NeuronActivation.Tanh);
        var (inputs, targets) = Nets.Data(random, samples: 7, inputs: 2);
        const int k = 1;
        const double s = 0.3;
        var g = Hessian.Gradient(net, inputs, targets);
        var gs = Hessian.Gradient(Embedding.Split(net, k, s), inputs, targets);
        int m = 3, d = 2;
        for (var j = 0; j < m; j++)
        {
            var factor = j == k ? s : 1;
            for (var i = 0; i < d; i++)
            {
                Assert.Equal(factor * g[j * d + i], gs[j * d + i], 1e-14);
            }

            Assert.Equal(factor * g[m * d + j], gs[(m + 1) * d + j], 1e-14);          // bias
            Assert.Equal(g[m * d + m + j], gs[(m + 1) * d + (m + 1) + j], 1e-14);     // output weight
        }

        for (var i = 0; i < d; i++)
        {
            Assert.Equal((1 - s) * g[k * d + i], gs[m * d + i], 1e-14);
        }

        Assert.Equal((1 - s) * g[m * d + k], gs[(m + 1) * d + m], 1e-14);
        Assert.Equal(g[m * d + m + k], gs[(m + 1) * d + (m + 1) + m], 1e-14);
    }

    [Fact]
    public void CriticalPointStaysCritical()
    {
        var (net, inputs, targets) = CriticalPoint.NarrowTanh();
        Assert.True(Norm(Hessian.Gradient(net, inputs, targets)) < 1e-10);
        foreach (var s in new[] { 0.3, 0.5, -0.4 })
        {
            var split = Embedding.Split(net, 0, s);
            Assert.Equal(Hessian.Loss(net, inputs, targets), Hessian.Loss(split, inputs, targets), 1e-15);
            Assert.True(Norm(Hessian.Gradient(split, inputs, targets)) < 2e-10);

            var twice = Embedding.Split(split, 1, 0.6);
            Assert.True(Norm(Hessian.Gradient(twice, inputs, targets)) < 2e-10);
        }
    }

    [Fact]
    public void SplitRejectsBadArguments()
    {
        var net = new TwoLayerNet(2, 1, [1, 2], [0, 0], [1, 1], NeuronActivation.Tanh);
        Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Split(net, 2, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Split(net, -1, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Split(net, 0, double.NaN));
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));
}

/// <summary>Random nets and data for the embedding and Hessian tests.</summary>
internal static class Nets
{
    public static TwoLayerNet Random(Random random, int width, int inputs, NeuronActivation activation)
    {
        var theta = new double[width * (inputs + 2)];
        for (var i = 0; i < theta.Length; i++)
        {
            theta[i] = 2 * random.NextDouble() - 1;
        }

        return TwoLayerNet.FromParameters(width, inputs, theta, activation);
    }

    public static (double[] Inputs, double[] Targets) Data(Random random, int samples, int inputs)
    {
        var x = new double[samples * inputs];
        var y = new double[samples];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = 2 * random.NextDouble() - 1;
        }

        for (var i = 0; i < y.Length; i++)
        {
            y[i] = random.NextDouble() - 0.5;
        }

        return (x, y);
    }
}

/// <summary>
/// A critical point of a narrow (width 1) tanh net on five 1-D points it cannot fit exactly, found by plain full-batch
/// gradient descent in float64 until ‖∇L‖ &lt; 1e-10. The residual is not zero there, so the Hessian's r·∇²h part matters.
/// </summary>
internal static class CriticalPoint
{
    public static readonly double[] Inputs = [-2, -1, 0, 1, 2];
    public static readonly double[] Targets = [-1, -0.9, 0.2, 1, 1.1];

    private static readonly Lazy<TwoLayerNet> Net = new(Descend);

    public static (TwoLayerNet Net, double[] Inputs, double[] Targets) NarrowTanh() => (Net.Value, Inputs, Targets);

    private static TwoLayerNet Descend()
    {
        const double learningRate = 0.1;
        double[] theta = [0.5, 0.1, 0.5]; // (w, b, a)
        for (var step = 0; step < 200_000; step++)
        {
            var net = TwoLayerNet.FromParameters(1, 1, theta, NeuronActivation.Tanh);
            var gradient = Hessian.Gradient(net, Inputs, Targets);
            if (Math.Sqrt(gradient.Sum(g => g * g)) < 1e-10)
            {
                return net;
            }

            for (var i = 0; i < theta.Length; i++)
            {
                theta[i] -= learningRate * gradient[i];
            }
        }

        throw new InvalidOperationException("Gradient descent did not reach ‖∇L‖ < 1e-10.");
    }
}
