namespace CondensationDsl.Runtime.Reduction;

/// <summary>How often a changed network's predictions agree with the original's on the data (regression outputs).</summary>
public static class Agreement
{
    /// <summary>
    /// The fraction of data points x with max over outputs |candidate(x) − reference(x)| ≤ tolerance·S, where
    /// S = max over all points and outputs |reference(x)|. Both arrays are points×outputs, row-major.
    /// </summary>
    /// <remarks>
    /// The paper's "agreement of predictions" is for classifiers (same arg max); a regression output has no class, so two
    /// predictions agree when they are equal up to a tolerance. Relative to the largest output on the data rather than to
    /// each |f(x)|, because near a zero of f a relative error per point is meaningless: any change there counts as
    /// disagreement. With S = 0 only exact equality agrees.
    /// </remarks>
    public static double Fraction(ReadOnlySpan<float> reference, ReadOnlySpan<float> candidate, int outputs, double tolerance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        if (double.IsNaN(tolerance) || tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The agreement tolerance must be ≥ 0.");
        }

        if (candidate.Length != reference.Length || reference.Length % outputs != 0)
        {
            throw new ArgumentException($"Predictions of {reference.Length} and {candidate.Length} values do not form the same points×{outputs} table.", nameof(candidate));
        }

        var points = reference.Length / outputs;
        if (points == 0)
        {
            throw new ArgumentException("Agreement needs at least one data point.", nameof(reference));
        }

        var bound = tolerance * Scale(reference);
        var agreeing = 0;
        for (var i = 0; i < points; i++)
        {
            var agrees = true;
            for (var o = 0; o < outputs && agrees; o++)
            {
                // "!(d > bound)" would let a NaN prediction agree; a NaN must count as disagreement.
                agrees = Math.Abs((double)candidate[(i * outputs) + o] - reference[(i * outputs) + o]) <= bound;
            }

            agreeing += agrees ? 1 : 0;
        }

        return (double)agreeing / points;
    }

    /// <summary>max |f(x)| over every point and output: the scale of <see cref="Fraction"/>'s tolerance.</summary>
    public static double Scale(ReadOnlySpan<float> predictions)
    {
        var scale = 0.0;
        foreach (var value in predictions)
        {
            scale = Math.Max(scale, Math.Abs((double)value));
        }

        return scale;
    }
}
