namespace CondensationDsl.Analysis;

/// <summary>
/// The MSE loss L(θ) = (1/n) Σ_i (h(x_i) − y_i)² of a <see cref="TwoLayerNet"/>, its gradient and its Hessian with
/// respect to all parameters θ (layout in <see cref="TwoLayerNet"/>'s remarks), for the embedding checks of SCIENCE.md
/// §3 row 6.2. Inputs are n×d row-major, targets n. Everything analytic, in float64.
/// </summary>
/// <remarks>
/// <para>With r_i = h(x_i) − y_i and J_i = ∂h(x_i)/∂θ: ∇L = (2/n) Σ r_i J_i and ∇²L = (2/n) Σ (J_i J_iᵀ + r_i ∇²h(x_i)).
/// With x̃ = (x, 1) and u_k = (w_k, b_k): ∂h/∂a_k = σ(z_k), ∂h/∂u_k = a_k σ′(z_k) x̃; the only second derivatives of h
/// are inside one neuron: ∂²h/∂u_k∂u_kᵀ = a_k σ″(z_k) x̃x̃ᵀ and ∂²h/∂a_k∂u_k = σ′(z_k) x̃.</para>
/// <para>Why the analytic Hessian (<see cref="Compute"/>) rather than central differences of the gradient: it is exact to
/// rounding (relative error ~1e-15), so the count of zero eigenvalues at a relative tolerance of 1e-6 is decided by the
/// landscape, not by a step size; differences carry an O(h²) truncation error (~1e-10 relative at h = 1e-5) plus
/// rounding ε/h that can blur an exactly flat direction. <see cref="ByCentralDifferences"/> is kept as the cross-check
/// (and the tests compare the two). For ReLU σ″ = 0: the Hessian off the kinks, as the gradient is the subgradient at them.</para>
/// </remarks>
public static class Hessian
{
    /// <summary>L = (1/n) Σ (h(x_i) − y_i)².</summary>
    public static double Loss(TwoLayerNet net, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets)
    {
        var n = Samples(net, inputs, targets);
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var r = net.Evaluate(inputs.Slice(i * net.Inputs, net.Inputs)) - targets[i];
            sum += r * r;
        }

        return sum / n;
    }

    /// <summary>∇L, in the parameter layout of <see cref="TwoLayerNet.Parameters"/>.</summary>
    public static double[] Gradient(TwoLayerNet net, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets)
    {
        var n = Samples(net, inputs, targets);
        int m = net.Width, d = net.Inputs;
        var gradient = new double[net.ParameterCount];
        var sigma = new double[m];
        var slope = new double[m];
        var scale = 2.0 / n;
        for (var i = 0; i < n; i++)
        {
            var x = inputs.Slice(i * d, d);
            var r = Forward(net, x, sigma, slope, null) - targets[i];
            for (var k = 0; k < m; k++)
            {
                var c = scale * r * net.OutputWeights[k] * slope[k];
                for (var j = 0; j < d; j++)
                {
                    gradient[k * d + j] += c * x[j];
                }

                gradient[m * d + k] += c;
                gradient[m * d + m + k] += scale * r * sigma[k];
            }
        }

        return gradient;
    }

    /// <summary>∇²L, P×P row-major (P = <see cref="TwoLayerNet.ParameterCount"/>), exactly symmetric.</summary>
    public static double[] Compute(TwoLayerNet net, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets)
    {
        var n = Samples(net, inputs, targets);
        int m = net.Width, d = net.Inputs, size = net.ParameterCount;
        var hessian = new double[size * size];
        var sigma = new double[m];
        var slope = new double[m];
        var curvature = new double[m];
        var jacobian = new double[size];
        var scale = 2.0 / n;
        for (var i = 0; i < n; i++)
        {
            var x = inputs.Slice(i * d, d);
            var r = Forward(net, x, sigma, slope, curvature) - targets[i];
            for (var k = 0; k < m; k++)
            {
                var c = net.OutputWeights[k] * slope[k];
                for (var j = 0; j < d; j++)
                {
                    jacobian[k * d + j] = c * x[j];
                }

                jacobian[m * d + k] = c;
                jacobian[m * d + m + k] = sigma[k];
            }

            // Gauss–Newton part (2/n) J Jᵀ: couples every pair of parameters.
            for (var p = 0; p < size; p++)
            {
                var jp = scale * jacobian[p];
                var row = hessian.AsSpan(p * size, size);
                for (var q = 0; q < size; q++)
                {
                    row[q] += jp * jacobian[q];
                }
            }

            // Residual part (2/n) r ∇²h: only inside each neuron's block (u_k = (w_k, b_k), a_k).
            for (var k = 0; k < m; k++)
            {
                var uu = scale * r * net.OutputWeights[k] * curvature[k];
                var ua = scale * r * slope[k];
                var aIndex = m * d + m + k;
                for (var p = 0; p <= d; p++)
                {
                    var xp = p < d ? x[p] : 1.0;
                    var pIndex = p < d ? k * d + p : m * d + k;
                    for (var q = 0; q <= d; q++)
                    {
                        var xq = q < d ? x[q] : 1.0;
                        var qIndex = q < d ? k * d + q : m * d + k;
                        hessian[pIndex * size + qIndex] += uu * xp * xq;
                    }

                    hessian[pIndex * size + aIndex] += ua * xp;
                    hessian[aIndex * size + pIndex] += ua * xp;
                }
            }
        }

        // The two triangles were summed in different orders ((c·J_p)·J_q against (c·J_q)·J_p); average them so the
        // result is exactly symmetric, as the Jacobi solver and equality checks on it expect.
        Symmetrize(hessian, size);
        return hessian;
    }

    /// <summary>
    /// ∇²L by central differences of the analytic gradient, column j = (∇L(θ + h e_j) − ∇L(θ − h e_j))/(2h), then
    /// symmetrized ((H + Hᵀ)/2). A cross-check of <see cref="Compute"/>; error O(h²) + O(ε/h).
    /// </summary>
    public static double[] ByCentralDifferences(TwoLayerNet net, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, double step = 1e-5)
    {
        Samples(net, inputs, targets);
        if (!(step > 0) || !double.IsFinite(step))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "step must be positive and finite.");
        }

        var size = net.ParameterCount;
        var theta = net.Parameters();
        var hessian = new double[size * size];
        for (var j = 0; j < size; j++)
        {
            var saved = theta[j];
            theta[j] = saved + step;
            var plus = Gradient(TwoLayerNet.FromParameters(net.Width, net.Inputs, theta, net.Activation), inputs, targets);
            theta[j] = saved - step;
            var minus = Gradient(TwoLayerNet.FromParameters(net.Width, net.Inputs, theta, net.Activation), inputs, targets);
            theta[j] = saved;
            for (var p = 0; p < size; p++)
            {
                hessian[p * size + j] = (plus[p] - minus[p]) / (2 * step);
            }
        }

        Symmetrize(hessian, size);
        return hessian;
    }

    /// <summary>
    /// How many eigenvalues of ∇²L are positive, zero and negative (<see cref="SymmetricEigen.CountSigns"/> on the
    /// <see cref="SymmetricEigen.Decompose"/> of <see cref="Compute"/>).
    /// </summary>
    public static EigenvalueSigns Signs(
        TwoLayerNet net,
        ReadOnlySpan<double> inputs,
        ReadOnlySpan<double> targets,
        double relativeTolerance = SymmetricEigen.DefaultZeroTolerance)
    {
        var hessian = Compute(net, inputs, targets);
        var eigen = SymmetricEigen.Decompose(hessian, net.ParameterCount);
        return SymmetricEigen.CountSigns(eigen.Values, relativeTolerance);
    }

    private static void Symmetrize(double[] matrix, int size)
    {
        for (var p = 0; p < size; p++)
        {
            for (var q = p + 1; q < size; q++)
            {
                var mean = 0.5 * (matrix[p * size + q] + matrix[q * size + p]);
                matrix[p * size + q] = mean;
                matrix[q * size + p] = mean;
            }
        }
    }

    // h(x), and σ, σ′ (and σ″ when asked) of every neuron at x.
    private static double Forward(TwoLayerNet net, ReadOnlySpan<double> x, double[] sigma, double[] slope, double[]? curvature)
    {
        var h = 0.0;
        for (var k = 0; k < net.Width; k++)
        {
            var z = net.PreActivation(k, x);
            sigma[k] = NeuronActivations.Value(net.Activation, z);
            slope[k] = NeuronActivations.Derivative(net.Activation, z);
            if (curvature is not null)
            {
                curvature[k] = NeuronActivations.SecondDerivative(net.Activation, z);
            }

            h += net.OutputWeights[k] * sigma[k];
        }

        return h;
    }

    private static int Samples(TwoLayerNet net, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (targets.Length == 0)
        {
            throw new ArgumentException("At least one sample is needed (the loss is a mean).", nameof(targets));
        }

        Guard.Length(inputs.Length, targets.Length * net.Inputs, nameof(inputs));
        return targets.Length;
    }
}
