namespace CondensationDsl.Analysis;

/// <summary>
/// The activations of the language, for the float64 analyses of two-layer nets here. Same members in the same order as
/// the Runtime's <c>Activation</c> enum, so a caller maps one to the other by name (or by value); the Analysis project
/// sits below the Runtime and cannot use that enum.
/// </summary>
public enum NeuronActivation
{
    Linear,
    Relu,
    Tanh,
    Sigmoid,
    Softplus,
    XTanh,
    X2Tanh,
}

/// <summary>σ, σ′ and σ″ of each <see cref="NeuronActivation"/> in float64: the loss gradient needs σ′, its Hessian σ″.</summary>
public static class NeuronActivations
{
    public static double Value(NeuronActivation activation, double z) => activation switch
    {
        NeuronActivation.Linear => z,
        NeuronActivation.Relu => z > 0 ? z : 0,
        NeuronActivation.Tanh => Math.Tanh(z),
        NeuronActivation.Sigmoid => Sigmoid(z),
        // max(z, 0) + log(1 + e^−|z|), as the Runtime computes it, so large |z| neither overflows nor loses the tail.
        NeuronActivation.Softplus => Math.Max(z, 0) + LogOnePlus(Math.Exp(-Math.Abs(z))),
        NeuronActivation.XTanh => z * Math.Tanh(z),
        NeuronActivation.X2Tanh => z * z * Math.Tanh(z),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    /// <summary>σ′(z). ReLU's is 1 for z &gt; 0 and 0 otherwise (the subgradient the training code uses at the kink).</summary>
    public static double Derivative(NeuronActivation activation, double z)
    {
        switch (activation)
        {
            case NeuronActivation.Linear:
                return 1;
            case NeuronActivation.Relu:
                return z > 0 ? 1 : 0;
            case NeuronActivation.Tanh:
            {
                var t = Math.Tanh(z);
                return 1 - t * t;
            }

            case NeuronActivation.Sigmoid:
            {
                var s = Sigmoid(z);
                return s * (1 - s);
            }

            case NeuronActivation.Softplus:
                return Sigmoid(z);
            case NeuronActivation.XTanh:
            {
                var t = Math.Tanh(z);
                return t + z * (1 - t * t);
            }

            case NeuronActivation.X2Tanh:
            {
                var t = Math.Tanh(z);
                return z * (2 * t + z * (1 - t * t));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>σ″(z). ReLU's is 0 (it is 0 everywhere but the kink, where it does not exist).</summary>
    public static double SecondDerivative(NeuronActivation activation, double z)
    {
        switch (activation)
        {
            case NeuronActivation.Linear:
            case NeuronActivation.Relu:
                return 0;
            case NeuronActivation.Tanh:
            {
                var t = Math.Tanh(z);
                return -2 * t * (1 - t * t);
            }

            case NeuronActivation.Sigmoid:
            {
                var s = Sigmoid(z);
                return s * (1 - s) * (1 - 2 * s);
            }

            case NeuronActivation.Softplus:
            {
                var s = Sigmoid(z);
                return s * (1 - s);
            }

            case NeuronActivation.XTanh:
            {
                // d/dz [t + z(1 − t²)] = 2(1 − t²) − 2zt(1 − t²).
                var t = Math.Tanh(z);
                return 2 * (1 - t * t) * (1 - z * t);
            }

            case NeuronActivation.X2Tanh:
            {
                // d/dz [2zt + z²(1 − t²)] = 2t + 4z(1 − t²) − 2z²t(1 − t²).
                var t = Math.Tanh(z);
                var u = 1 - t * t;
                return 2 * t + 4 * z * u - 2 * z * z * t * u;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    private static double Sigmoid(double z)
    {
        // Exp of a non-positive number only, so neither branch overflows.
        if (z >= 0)
        {
            return 1 / (1 + Math.Exp(-z));
        }

        var e = Math.Exp(z);
        return e / (1 + e);
    }

    // log(1 + t) for t ∈ [0, 1] without the cancellation of Math.Log(1 + t) at tiny t (same scheme as the Runtime's Fn.Log1P).
    private static double LogOnePlus(double t) => t < 1e-5 ? t * (1 - t * (0.5 - t / 3)) : Math.Log(1.0 + t);
}

/// <summary>
/// A two-layer net h(x) = Σ_k a_k σ(w_k·x + b_k), k = 1..<see cref="Width"/>, scalar output and no output bias (SCIENCE.md
/// §2). <see cref="InputWeights"/> is Width×<see cref="Inputs"/> row-major (row k is w_k), <see cref="Biases"/> has Width
/// entries, <see cref="OutputWeights"/> Width. The arrays are held, not copied: treat a net as a value and do not mutate them.
/// </summary>
/// <remarks>
/// Its parameter vector θ (<see cref="Parameters"/>, the coordinates of <see cref="Hessian"/>) is the input weights
/// row-major, then the biases, then the output weights: Width·(Inputs + 2) numbers.
/// </remarks>
public sealed record TwoLayerNet
{
    /// <exception cref="ArgumentException">An array's length does not match the width and input count.</exception>
    public TwoLayerNet(int width, int inputs, double[] inputWeights, double[] biases, double[] outputWeights, NeuronActivation activation)
    {
        ArgumentNullException.ThrowIfNull(inputWeights);
        ArgumentNullException.ThrowIfNull(biases);
        ArgumentNullException.ThrowIfNull(outputWeights);
        Guard.NotNegative(width, nameof(width));
        Guard.NotNegative(inputs, nameof(inputs));
        Guard.Length(inputWeights.Length, width * inputs, nameof(inputWeights));
        Guard.Length(biases.Length, width, nameof(biases));
        Guard.Length(outputWeights.Length, width, nameof(outputWeights));
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }

        Width = width;
        Inputs = inputs;
        InputWeights = inputWeights;
        Biases = biases;
        OutputWeights = outputWeights;
        Activation = activation;
    }

    public int Width { get; }

    public int Inputs { get; }

    public double[] InputWeights { get; }

    public double[] Biases { get; }

    public double[] OutputWeights { get; }

    public NeuronActivation Activation { get; }

    /// <summary>Width·(Inputs + 2), the length of <see cref="Parameters"/>.</summary>
    public int ParameterCount => Width * (Inputs + 2);

    /// <summary>The net at the same architecture with parameters θ (layout in the type's remarks).</summary>
    public static TwoLayerNet FromParameters(int width, int inputs, ReadOnlySpan<double> theta, NeuronActivation activation)
    {
        Guard.NotNegative(width, nameof(width));
        Guard.NotNegative(inputs, nameof(inputs));
        Guard.Length(theta.Length, width * (inputs + 2), nameof(theta));
        var weightCount = width * inputs;
        return new TwoLayerNet(
            width,
            inputs,
            theta[..weightCount].ToArray(),
            theta.Slice(weightCount, width).ToArray(),
            theta.Slice(weightCount + width, width).ToArray(),
            activation);
    }

    /// <summary>θ: input weights row-major, biases, output weights (a new array).</summary>
    public double[] Parameters()
    {
        var theta = new double[ParameterCount];
        InputWeights.CopyTo(theta, 0);
        Biases.CopyTo(theta, InputWeights.Length);
        OutputWeights.CopyTo(theta, InputWeights.Length + Width);
        return theta;
    }

    /// <summary>h(x) for one input of length <see cref="Inputs"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> x)
    {
        Guard.Length(x.Length, Inputs, nameof(x));
        var h = 0.0;
        for (var k = 0; k < Width; k++)
        {
            h += OutputWeights[k] * NeuronActivations.Value(Activation, PreActivation(k, x));
        }

        return h;
    }

    /// <summary>w_k·x + b_k.</summary>
    public double PreActivation(int k, ReadOnlySpan<double> x)
    {
        var z = Biases[k];
        var row = InputWeights.AsSpan(k * Inputs, Inputs);
        for (var j = 0; j < Inputs; j++)
        {
            z += row[j] * x[j];
        }

        return z;
    }
}

/// <summary>
/// The embedding principle's one-step splitting embedding (SCIENCE.md §3 row 6.2): a narrow net becomes a wider one that
/// computes the same function, and a critical point of the narrow loss becomes a critical point of the wide one, so the
/// wide landscape contains every critical point of the narrow ones (the bars shared across widths in figure 7).
/// </summary>
public static class Embedding
{
    /// <summary>
    /// Splits neuron <paramref name="neuron"/> = k into two with the same input weights (w_k, b_k): neuron k keeps its place
    /// with output weight a_k·s, and a copy with output weight a_k·(1 − s) is appended as the last neuron (index Width).
    /// </summary>
    /// <remarks>
    /// Why the function is unchanged: both copies have the same pre-activation z_k, so they add a_k·s·σ(z_k) +
    /// a_k(1 − s)·σ(z_k) = a_k·σ(z_k) for every activation and every input, whatever s. Why a critical point stays critical:
    /// with r = h − y the same on every input, ∂L/∂a of each copy is (2/n)Σ r σ(z_k) = ∂L/∂a_k, and ∂L/∂(w, b) of the copies
    /// are s and 1 − s times the narrow net's ∂L/∂(w_k, b_k); all vanish when the narrow gradient does. Any finite s is
    /// accepted; s ∈ (0, 1) is the usual choice (s = 0 or 1 leaves a copy with output weight 0).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">k is not a neuron of the net, or s is not finite.</exception>
    public static TwoLayerNet Split(TwoLayerNet net, int neuron, double s)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (neuron < 0 || neuron >= net.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(neuron), neuron, $"neuron must be in [0, {net.Width}).");
        }

        if (!double.IsFinite(s))
        {
            throw new ArgumentOutOfRangeException(nameof(s), s, "s must be finite.");
        }

        var width = net.Width + 1;
        var d = net.Inputs;
        var weights = new double[width * d];
        var biases = new double[width];
        var outputs = new double[width];
        net.InputWeights.CopyTo(weights, 0);
        net.InputWeights.AsSpan(neuron * d, d).CopyTo(weights.AsSpan(net.Width * d, d));
        net.Biases.CopyTo(biases, 0);
        biases[net.Width] = net.Biases[neuron];
        net.OutputWeights.CopyTo(outputs, 0);
        var a = net.OutputWeights[neuron];
        outputs[neuron] = a * s;
        outputs[net.Width] = a * (1 - s);
        return new TwoLayerNet(width, d, weights, biases, outputs, net.Activation);
    }
}
