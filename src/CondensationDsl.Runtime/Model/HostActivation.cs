using CondensationDsl.Analysis;
using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// The activations in float64 on the host: the reference for observations and for tests of the device kernels. The
/// formulas live once, in the Analysis project's <see cref="NeuronActivations"/>; this maps the device enum onto it.
/// </summary>
public static class HostActivation
{
    public static double Apply(Activation activation, double z) => NeuronActivations.Value(ToAnalysis(activation), z);

    /// <summary>The Analysis project's name for <paramref name="activation"/> (it sits below the Runtime, so it has its own enum).</summary>
    public static NeuronActivation ToAnalysis(Activation activation) => activation switch
    {
        Activation.Linear => NeuronActivation.Linear,
        Activation.Relu => NeuronActivation.Relu,
        Activation.Tanh => NeuronActivation.Tanh,
        Activation.Sigmoid => NeuronActivation.Sigmoid,
        Activation.Softplus => NeuronActivation.Softplus,
        Activation.XTanh => NeuronActivation.XTanh,
        Activation.X2Tanh => NeuronActivation.X2Tanh,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };
}
