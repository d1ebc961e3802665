namespace CondensationDsl.Analysis;

/// <summary>Static ReLU neurons (SCIENCE.md §2): pre-activation ≤ 0 on every training input, so they get no gradient and never move.</summary>
public static class StaticNeurons
{
    /// <summary>A ReLU neuron is static when its pre-activation is ≤ 0 on every input. preActivations is inputs×neurons, row-major.</summary>
    public static bool[] FromPreActivations(ReadOnlySpan<double> preActivations, int inputs, int neurons)
    {
        Guard.NotNegative(inputs, nameof(inputs));
        Guard.NotNegative(neurons, nameof(neurons));
        Guard.Length(preActivations.Length, inputs * neurons, nameof(preActivations));
        var result = new bool[neurons];
        Array.Fill(result, true);
        for (var i = 0; i < inputs; i++)
        {
            var row = preActivations.Slice(i * neurons, neurons);
            for (var k = 0; k < neurons; k++)
            {
                // "!(z <= 0)" rather than "z > 0": a NaN pre-activation is not evidence that the neuron is dead.
                if (!(row[k] <= 0))
                {
                    result[k] = false;
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Static flags of a dense ReLU layer computed from its parameters: z_ik = Σ_j x_ij·w_kj + b_k.
    /// x is inputs×inputDim, weights neurons×inputDim (row-major), bias empty or of length neurons.
    /// </summary>
    public static bool[] FromDense(ReadOnlySpan<double> x, int inputs, int inputDim, ReadOnlySpan<double> weights, ReadOnlySpan<double> bias, int neurons)
    {
        Guard.NotNegative(inputs, nameof(inputs));
        Guard.NotNegative(inputDim, nameof(inputDim));
        Guard.NotNegative(neurons, nameof(neurons));
        Guard.Length(x.Length, inputs * inputDim, nameof(x));
        Guard.Length(weights.Length, neurons * inputDim, nameof(weights));
        if (!bias.IsEmpty)
        {
            Guard.Length(bias.Length, neurons, nameof(bias));
        }

        var result = new bool[neurons];
        for (var k = 0; k < neurons; k++)
        {
            var w = weights.Slice(k * inputDim, inputDim);
            var b = bias.IsEmpty ? 0.0 : bias[k];
            var isStatic = true;
            for (var i = 0; i < inputs && isStatic; i++)
            {
                var z = Vectors.Dot(x.Slice(i * inputDim, inputDim), w) + b;
                isStatic = z <= 0;
            }

            result[k] = isStatic;
        }

        return result;
    }
}
