namespace CondensationDsl.Analysis;

/// <summary>RelDis (SCIENCE.md §2): how far a layer's input weights (biases included) moved from their initial values.</summary>
public static class RelativeDistance
{
    /// <summary>RD = ‖current − initial‖₂ / ‖initial‖₂.</summary>
    /// <remarks>With a zero initial vector RD is undefined; NaN says so (metrics.csv writes it as an empty cell).</remarks>
    public static double Compute(ReadOnlySpan<double> initial, ReadOnlySpan<double> current)
    {
        Guard.Length(current.Length, initial.Length, nameof(current));
        var distance = 0.0;
        var reference = 0.0;
        for (var i = 0; i < initial.Length; i++)
        {
            var delta = current[i] - initial[i];
            distance += delta * delta;
            reference += initial[i] * initial[i];
        }

        return reference == 0 ? double.NaN : Math.Sqrt(distance) / Math.Sqrt(reference);
    }
}
