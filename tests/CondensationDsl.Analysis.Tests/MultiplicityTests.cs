using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class MultiplicityTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    public static TheoryData<string, Func<double, double>, int?> Cases => new()
    {
        { "tanh", Math.Tanh, 1 },
        { "sigmoid", Sigmoid, 1 },
        { "softplus", Softplus, 1 },
        { "x·tanh", x => x * Math.Tanh(x), 2 },
        { "x²·tanh", x => x * x * Math.Tanh(x), 3 },
        { "linear", x => x, 1 },
        { "relu", x => x > 0 ? x : 0, null },
        { "x³", x => x * x * x, 3 },
        { "sin", Math.Sin, 1 },
        { "1 − cos", x => 1 - Math.Cos(x), 2 },

        // Beyond the brief's list: a large offset must not hide the slope; scaling must not matter; |x| is a kink too.
        { "1000 + x⁴", x => 1000 + (x * x * x * x), 4 },
        { "1e-8·x²", x => 1e-8 * x * x, 2 },
        { "exp(x) − 1 − x", x => Math.Exp(x) - 1 - x, 2 },
        { "|x|", Math.Abs, null },
        { "leaky relu", x => x > 0 ? x : 0.01 * x, null },
        { "constant", _ => 3.0, null },
        { "x⁸ (beyond order 6)", x => Math.Pow(x, 8), null },
        { "relu(x − 0.1) (kink near 0)", x => x > 0.1 ? x - 0.1 : 0, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MultiplicityOfActivation(string name, Func<double, double> sigma, int? expected) =>
        Assert.True(expected == Multiplicity.Of(sigma), $"{name}: expected {expected?.ToString() ?? "undefined"}, got {Multiplicity.Of(sigma)?.ToString() ?? "undefined"}");

    [Fact]
    public void BoundIsTwiceTheMultiplicity()
    {
        Assert.Equal(2, Multiplicity.DirectionBound(1));
        Assert.Equal(6, Multiplicity.DirectionBound(3));
        Assert.Null(Multiplicity.DirectionBound(null));
    }

    [Fact]
    public void NonFiniteValuesAreUndefined() => Assert.Null(Multiplicity.Of(x => 1 / x));
}
