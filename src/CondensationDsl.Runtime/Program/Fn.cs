namespace CondensationDsl.Runtime.Program;

/// <summary>The functions a `.cond` expression may call; emitted code calls these, never Math directly for them.</summary>
public static class Fn
{
    public static double Relu(double x) => x > 0 ? x : 0;

    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>log(1 + eˣ) as max(x, 0) + log1p(e^−|x|): no overflow for large x, no cancellation for very negative x.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Log1P(Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// log(1 + t) for t ≥ 0 without the cancellation of Math.Log(1 + t) for tiny t (softplus(−38) must be 3e-17, not 0):
    /// below 1e-5 the series t − t²/2 + t³/3 has relative error under t³/4 ≤ 2.5e-16, about double rounding; above it
    /// Math.Log(1 + t) loses at most ~1e-11 relative.
    /// </summary>
    public static double Log1P(double t) => t < 1e-5 ? t * (1 - t * (0.5 - t / 3)) : Math.Log(1.0 + t);

    public static double Tanh(double x) => Math.Tanh(x);

    public static double Sin(double x) => Math.Sin(x);

    public static double Cos(double x) => Math.Cos(x);

    public static double Exp(double x) => Math.Exp(x);

    public static double Log(double x) => Math.Log(x);

    public static double Abs(double x) => Math.Abs(x);

    public static double Sqrt(double x) => Math.Sqrt(x);

    public static double Pow(double x, double y) => Math.Pow(x, y);

    /// <summary>Converts a numeric parameter to a width or count, refusing fractions rather than truncating them.</summary>
    /// <summary>A whole number ≥ 0 (a padding; a take of 0 meaning "all"), or an error naming <paramref name="what"/>.</summary>
    public static int ToWhole(double value, string what) =>
        value >= 0 && value <= int.MaxValue && Math.Floor(value) == value
            ? (int)value
            : throw new ArgumentOutOfRangeException(what, value, $"{what} must be a whole number ≥ 0, got {value}.");

    public static int ToCount(double value, string what) =>
        value >= 1 && value <= int.MaxValue && Math.Floor(value) == value
            ? (int)value
            : throw new ArgumentOutOfRangeException(what, value, $"{what} must be a whole number ≥ 1, got {value}.");
}
