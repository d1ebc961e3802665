namespace CondensationDsl.Analysis;

/// <summary>Orientation–amplitude features of neurons (SCIENCE.md §2, "feature of a neuron").</summary>
public static class Features
{
    /// <summary>Features of neurons h(x) = Σ a_k σ(w_k x + b_k) with 1-D input; isStatic marks neurons never active on the data.</summary>
    public static FeatureTable OneDimensional(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> a, bool[] isStatic, AmplitudeConvention convention)
    {
        ArgumentNullException.ThrowIfNull(isStatic);
        var m = w.Length;
        Guard.Length(b.Length, m, nameof(b));
        Guard.Length(isStatic.Length, m, nameof(isStatic));
        if (convention == AmplitudeConvention.Full)
        {
            Guard.Length(a.Length, m, nameof(a));
        }

        var orientation = new double[m];
        var amplitude = new double[m];
        for (var k = 0; k < m; k++)
        {
            orientation[k] = Orientation(w[k], b[k]);
            var norm = Math.Sqrt((w[k] * w[k]) + (b[k] * b[k]));
            amplitude[k] = convention == AmplitudeConvention.Full ? Math.Abs(a[k]) * norm : norm;
        }

        return new FeatureTable(orientation, amplitude, (bool[])isStatic.Clone());
    }

    /// <summary>
    /// θ = atan2(b, w) in (−π, π]. Math.Atan2 returns −π for b = −0, w &lt; 0; the half-open interval of SCIENCE.md maps that to π,
    /// so a neuron with a negative-zero bias lands on the same orientation as one with a positive-zero bias.
    /// </summary>
    public static double Orientation(double w, double b)
    {
        var theta = Math.Atan2(b, w);
        return theta == -Math.PI ? Math.PI : theta;
    }

    /// <summary>
    /// Amplitudes of neurons with any input dimension: A_k = outgoing_k·‖u_k‖ (Full) or ‖u_k‖ (Input), where u_k is row k of
    /// <paramref name="directions"/> (input weights with the bias appended) and outgoing_k is |a_k|, or the norm of neuron k's
    /// outgoing weights when the next layer has several outputs (see <see cref="OutgoingNorms"/>).
    /// </summary>
    public static double[] Amplitudes(ReadOnlySpan<double> directions, int count, int dimension, ReadOnlySpan<double> outgoing, AmplitudeConvention convention)
    {
        Guard.NotNegative(count, nameof(count));
        Guard.NotNegative(dimension, nameof(dimension));
        Guard.Length(directions.Length, count * dimension, nameof(directions));
        if (convention == AmplitudeConvention.Full)
        {
            Guard.Length(outgoing.Length, count, nameof(outgoing));
        }

        var result = new double[count];
        for (var k = 0; k < count; k++)
        {
            var norm = Vectors.Norm(directions.Slice(k * dimension, dimension));
            result[k] = convention == AmplitudeConvention.Full ? Math.Abs(outgoing[k]) * norm : norm;
        }

        return result;
    }

    /// <summary>
    /// ‖column k‖ of the next layer's weight matrix (outputs×neurons, row-major): the multi-output generalization of |a_k|.
    /// With one output it equals |a_k|.
    /// </summary>
    public static double[] OutgoingNorms(ReadOnlySpan<double> nextWeights, int outputs, int neurons)
    {
        Guard.NotNegative(outputs, nameof(outputs));
        Guard.NotNegative(neurons, nameof(neurons));
        Guard.Length(nextWeights.Length, outputs * neurons, nameof(nextWeights));
        var result = new double[neurons];
        for (var k = 0; k < neurons; k++)
        {
            var sum = 0.0;
            for (var o = 0; o < outputs; o++)
            {
                var v = nextWeights[(o * neurons) + k];
                sum += v * v;
            }

            result[k] = Math.Sqrt(sum);
        }

        return result;
    }
}
