using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class HessianTests
{
    [Fact]
    public void LossGradientAndHessianByHand()
    {
        // Linear σ, one neuron, one sample x = 1, y = 0, (w, b, a) = (1, 0, 1): h = a(w + b) = 1, r = 1, L = 1.
        // J = (a·x, a, w·x + b) = (1, 1, 1), ∇L = 2rJ = (2, 2, 2). ∇²L = 2JJᵀ + 2r∇²h with ∂²h/∂w∂a = x = 1, ∂²h/∂b∂a = 1:
        // [[2, 2, 4], [2, 2, 4], [4, 4, 2]]. Eigenvalues: (1, −1, 0) gives 0; on {(1, 1, 0)/√2, (0, 0, 1)} the matrix is
        // [[4, 4√2], [4√2, 2]], λ = 3 ± √33.
        var net = new TwoLayerNet(1, 1, [1], [0], [1], NeuronActivation.Linear);
        double[] x = [1];
        double[] y = [0];
        Assert.Equal(1.0, Hessian.Loss(net, x, y));
        Assert.Equal([2.0, 2, 2], Hessian.Gradient(net, x, y));
        Assert.Equal([2.0, 2, 4, 2, 2, 4, 4, 4, 2], Hessian.Compute(net, x, y));

        var eigen = SymmetricEigen.Decompose(Hessian.Compute(net, x, y), 3);
        Assert.Equal(3 - Math.Sqrt(33), eigen.Values[0], 1e-13);
        Assert.Equal(0.0, eigen.Values[1], 1e-13);
        Assert.Equal(3 + Math.Sqrt(33), eigen.Values[2], 1e-13);
        Assert.Equal(new EigenvalueSigns(1, 1, 1, 1e-6 * (3 + Math.Sqrt(33))), Hessian.Signs(net, x, y) with { Threshold = 1e-6 * (3 + Math.Sqrt(33)) });
    }

    [Theory]
    [InlineData(NeuronActivation.Tanh)]
    [InlineData(NeuronActivation.Sigmoid)]
    [InlineData(NeuronActivation.Softplus)]
    [InlineData(NeuronActivation.XTanh)]
    [InlineData(NeuronActivation.X2Tanh)]
    public void GradientMatchesCentralDifferencesOfTheLoss(NeuronActivation activation)
    {
        var random = new Random(21);
        var net = Nets.Random(random, width: 3, inputs: 2, activation);
        var (inputs, targets) = Nets.Data(random, samples: 6, inputs: 2);
        var gradient = Hessian.Gradient(net, inputs, targets);
        var theta = net.Parameters();
        const double h = 1e-6;
        for (var j = 0; j < theta.Length; j++)
        {
            var saved = theta[j];
            theta[j] = saved + h;
            var plus = Hessian.Loss(TwoLayerNet.FromParameters(3, 2, theta, activation), inputs, targets);
            theta[j] = saved - h;
            var minus = Hessian.Loss(TwoLayerNet.FromParameters(3, 2, theta, activation), inputs, targets);
            theta[j] = saved;
            Assert.Equal((plus - minus) / (2 * h), gradient[j], 1e-7);
        }
    }

    [Theory]
    [InlineData(NeuronActivation.Tanh)]
    [InlineData(NeuronActivation.Sigmoid)]
    [InlineData(NeuronActivation.Softplus)]
    [InlineData(NeuronActivation.XTanh)]
    [InlineData(NeuronActivation.X2Tanh)]
    public void AnalyticHessianMatchesCentralDifferencesOfTheGradient(NeuronActivation activation)
    {
        var random = new Random(8);
        var net = Nets.Random(random, width: 3, inputs: 2, activation);
        var (inputs, targets) = Nets.Data(random, samples: 6, inputs: 2);
        var analytic = Hessian.Compute(net, inputs, targets);
        var numeric = Hessian.ByCentralDifferences(net, inputs, targets);
        var size = net.ParameterCount;
        for (var p = 0; p < size; p++)
        {
            for (var q = 0; q < size; q++)
            {
                Assert.Equal(analytic[p * size + q], analytic[q * size + p]);
                Assert.Equal(numeric[p * size + q], analytic[p * size + q], 1e-8);
            }
        }
    }

    [Fact]
    public void RejectsMismatchedData()
    {
        var net = new TwoLayerNet(1, 2, [1, 1], [0], [1], NeuronActivation.Tanh);
        Assert.Throws<ArgumentException>(() => Hessian.Loss(net, [1, 2, 3], [0, 0]));
        Assert.Throws<ArgumentException>(() => Hessian.Gradient(net, [], []));
    }

    [Fact]
    public void JacobiOnATridiagonalMatrix()
    {
        // [[2, 1, 0], [1, 2, 1], [0, 1, 2]]: eigenvalues 2 − √2, 2, 2 + √2 with eigenvectors (1, ∓√2, 1)/2 and (1, 0, −1)/√2.
        var eigen = SymmetricEigen.Decompose([2, 1, 0, 1, 2, 1, 0, 1, 2], 3);
        Assert.Equal(2 - Math.Sqrt(2), eigen.Values[0], 1e-14);
        Assert.Equal(2.0, eigen.Values[1], 1e-14);
        Assert.Equal(2 + Math.Sqrt(2), eigen.Values[2], 1e-14);
        var sign = Math.Sign(eigen.Vectors[0 * 3 + 1]);
        Assert.Equal(sign / Math.Sqrt(2), eigen.Vectors[0 * 3 + 1], 1e-14);
        Assert.Equal(0.0, eigen.Vectors[1 * 3 + 1], 1e-14);
        Assert.Equal(-sign / Math.Sqrt(2), eigen.Vectors[2 * 3 + 1], 1e-14);
    }

    [Fact]
    public void JacobiRecoversAPlantedSpectrum()
    {
        // A = Q·diag(λ)·Qᵀ with the Householder reflection Q = I − 2vvᵀ/(vᵀv), v = (1, 2, 3, 4); λ includes 0 and a tiny value.
        double[] lambda = [5, -3, 0, 1e-3];
        double[] v = [1, 2, 3, 4];
        const int n = 4;
        var q = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                q[i * n + j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / 30;
            }
        }

        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var k = 0; k < n; k++)
                {
                    a[i * n + j] += q[i * n + k] * lambda[k] * q[j * n + k];
                }
            }
        }

        var eigen = SymmetricEigen.Decompose(a, n);
        double[] sorted = [-3, 0, 1e-3, 5];
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(sorted[i], eigen.Values[i], 1e-14);
        }

        // A·u = λu and the eigenvectors are orthonormal.
        for (var c = 0; c < n; c++)
        {
            for (var i = 0; i < n; i++)
            {
                var au = 0.0;
                for (var k = 0; k < n; k++)
                {
                    au += a[i * n + k] * eigen.Vectors[k * n + c];
                }

                Assert.Equal(eigen.Values[c] * eigen.Vectors[i * n + c], au, 1e-14);
            }

            for (var c2 = 0; c2 < n; c2++)
            {
                var dot = 0.0;
                for (var k = 0; k < n; k++)
                {
                    dot += eigen.Vectors[k * n + c] * eigen.Vectors[k * n + c2];
                }

                Assert.Equal(c == c2 ? 1.0 : 0.0, dot, 1e-14);
            }
        }

        Assert.Equal(new EigenvalueSigns(2, 1, 1, 5e-6), SymmetricEigen.CountSigns(eigen.Values) with { Threshold = 5e-6 });
        Assert.Equal(5e-6, SymmetricEigen.CountSigns(eigen.Values).Threshold, 1e-18);
    }

    [Fact]
    public void JacobiEdgeCases()
    {
        Assert.Empty(SymmetricEigen.Decompose([], 0).Values);
        Assert.Equal([-2.0], SymmetricEigen.Decompose([-2], 1).Values);
        Assert.Equal([-1.0, 0, 3], SymmetricEigen.Decompose([3, 0, 0, 0, 0, 0, 0, 0, -1], 3).Values);
        Assert.Equal([0.0, 0], SymmetricEigen.Decompose([0, 0, 0, 0], 2).Values);
        // Read as (A + Aᵀ)/2: [[1, 2], [0, 1]] is [[1, 1], [1, 1]], eigenvalues 0 and 2.
        var halves = SymmetricEigen.Decompose([1, 2, 0, 1], 2).Values;
        Assert.Equal(0.0, halves[0], 1e-15);
        Assert.Equal(2.0, halves[1], 1e-15);
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([1, 2, 3], 2));
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([double.NaN], 1));
    }

    [Fact]
    public void CountSignsWithTheRelativeTolerance()
    {
        // max|λ| = 4, threshold 4e-6 (4·1e-6 is exact in binary): −1e-9, 0, 1e-7 and exactly 4e-6 are zero; −3 negative; 2 and 4 positive.
        var signs = SymmetricEigen.CountSigns([-3, -1e-9, 0, 1e-7, 4e-6, 2, 4]);
        Assert.Equal(2, signs.Positive);
        Assert.Equal(4, signs.Zero);
        Assert.Equal(1, signs.Negative);
        Assert.Equal(new EigenvalueSigns(0, 3, 0, 0), SymmetricEigen.CountSigns([0.0, 0, 0]));
        Assert.Equal(new EigenvalueSigns(2, 0, 0, 0), SymmetricEigen.CountSigns([1e-300, 1.0], relativeTolerance: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SymmetricEigen.CountSigns([1.0], relativeTolerance: -1));
    }

    [Fact]
    public void EmbeddingDoesNotDecreaseTheHessianSignCounts()
    {
        var (net, inputs, targets) = CriticalPoint.NarrowTanh();
        var before = Hessian.Signs(net, inputs, targets);
        // The narrow critical point GD found is a strict local minimum: all three curvatures clearly positive.
        Assert.Equal(3, before.Positive);
        foreach (var s in new[] { 0.3, 0.5, 0.8 })
        {
            var split = Embedding.Split(net, 0, s);
            var after = Hessian.Signs(split, inputs, targets);
            Assert.Equal(split.ParameterCount, after.Positive + after.Zero + after.Negative);
            Assert.True(after.Positive >= before.Positive, $"s = {s}: positive {before.Positive} → {after.Positive}");
            Assert.True(after.Negative >= before.Negative, $"s = {s}: negative {before.Negative} → {after.Negative}");
            // Moving output weight between the two copies (δa_k = −δa_copy) leaves h unchanged: a new flat direction.
            Assert.True(after.Zero > before.Zero, $"s = {s}: zero {before.Zero} → {after.Zero}");

            var twice = Embedding.Split(split, 1, 0.4);
            var again = Hessian.Signs(twice, inputs, targets);
            Assert.True(again.Positive >= after.Positive && again.Negative >= after.Negative && again.Zero > after.Zero);
        }
    }

    [Fact]
    public void SplitHessianHasTheOutputTransferDirectionAsANullVector()
    {
        // v = e(a_k) − e(a_copy): h is constant along θ + tv, so vᵀHv = 0 at any θ (to rounding). H·v = 0 needs more:
        // its (w_k, b_k) rows are (2/n)Σ r σ′(z_k) x̃, which vanish only at the critical point, so they are as small as
        // the narrow gradient (< 1e-10) divided by a_k.
        var (net, inputs, targets) = CriticalPoint.NarrowTanh();
        var split = Embedding.Split(net, 0, 0.3);
        var h = Hessian.Compute(split, inputs, targets);
        var size = split.ParameterCount;
        int aK = 2 * 2 + 0, aCopy = 2 * 2 + 1; // layout: w (2), b (2), a (2)
        Assert.Equal(0.0, h[aK * size + aK] - 2 * h[aK * size + aCopy] + h[aCopy * size + aCopy], 1e-14);
        for (var p = 0; p < size; p++)
        {
            Assert.Equal(0.0, h[p * size + aK] - h[p * size + aCopy], 1e-9);
        }
    }
}
