using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Runtime.Model;

/// <summary>The activations in float64 on the host: the reference for observations and for tests of the device kernels.</summary>
public static class HostActivation
{
    public static double Apply(Activation activation, double z) => activation switch
    {
        Activation.Linear => z,
        Activation.Relu => z > 0 ? z : 0,
        Activation.Tanh => Math.Tanh(z),
        Activation.Sigmoid => 1.0 / (1.0 + Math.Exp(-z)),
        Activation.Softplus => Fn.Softplus(z),
        Activation.XTanh => z * Math.Tanh(z),
        Activation.X2Tanh => z * z * Math.Tanh(z),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };
}
