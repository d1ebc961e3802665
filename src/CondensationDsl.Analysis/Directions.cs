namespace CondensationDsl.Analysis;

/// <summary>Builds the vectors u_k that similarity and clustering compare: a neuron's input weights with its bias appended.</summary>
public static class Directions
{
    /// <summary>
    /// Rows (w_k, b_k) of length inputs+1 from a neurons×inputs weight matrix (row-major) and a bias vector.
    /// An empty <paramref name="bias"/> means the layer has no bias: the rows are the weights alone (length inputs).
    /// </summary>
    public static double[] WithBias(ReadOnlySpan<double> weights, int neurons, int inputs, ReadOnlySpan<double> bias)
    {
        Guard.NotNegative(neurons, nameof(neurons));
        Guard.NotNegative(inputs, nameof(inputs));
        Guard.Length(weights.Length, neurons * inputs, nameof(weights));
        if (bias.IsEmpty)
        {
            return weights.ToArray();
        }

        Guard.Length(bias.Length, neurons, nameof(bias));
        var width = inputs + 1;
        var result = new double[neurons * width];
        for (var k = 0; k < neurons; k++)
        {
            weights.Slice(k * inputs, inputs).CopyTo(result.AsSpan(k * width, inputs));
            result[(k * width) + inputs] = bias[k];
        }

        return result;
    }
}
