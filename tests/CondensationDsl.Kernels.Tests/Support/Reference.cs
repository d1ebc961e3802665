using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Kernels.Tests.Support;

/// <summary>The activations and their derivatives in float64, written from their definitions.</summary>
internal static class Reference
{
    public static double Value(Activation activation, double x) => activation switch
    {
        Activation.Linear => x,
        Activation.Relu => x > 0 ? x : 0,
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => Sigmoid(x),
        Activation.Softplus => Math.Max(x, 0) + Log1P(Math.Exp(-Math.Abs(x))),
        Activation.XTanh => x * Math.Tanh(x),
        Activation.X2Tanh => x * x * Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    public static double Derivative(Activation activation, double x)
    {
        double t = Math.Tanh(x);
        return activation switch
        {
            Activation.Linear => 1,
            Activation.Relu => x > 0 ? 1 : 0,
            Activation.Tanh => 1 - t * t,
            Activation.Sigmoid => Sigmoid(x) * (1 - Sigmoid(x)),
            Activation.Softplus => Sigmoid(x),
            Activation.XTanh => t + x * (1 - t * t),
            Activation.X2Tanh => 2 * x * t + x * x * (1 - t * t),
            _ => throw new ArgumentOutOfRangeException(nameof(activation)),
        };
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>log(1 + e), accurate for tiny e (Math has no log1p).</summary>
    private static double Log1P(double e)
    {
        double u = 1 + e;
        return u == 1 ? e : Math.Log(u) * e / (u - 1);
    }
}
