using CondensationDsl.Runtime.Devices;
using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// Activation forward and backward, one thread per element. The activation is a uniform int argument
/// (the <see cref="Activation"/> value) rather than one kernel per activation: the branch costs nothing because every
/// thread takes the same path, and it keeps the kernel registry short.
/// Checked by DeviceConformanceTests.ActivationForward_MatchesFloat64 and ActivationBackward_MatchesFloat64.
/// </summary>
public static class ActivationKernels
{
    /// <summary>y[i] = σ(z[i]).</summary>
    public static void Forward(Index1D i, ArrayView<float> z, ArrayView<float> y, int activation)
    {
        y[i] = Value(activation, z[i]);
    }

    /// <summary>dz[i] = dy[i]·σ'(z[i]).</summary>
    public static void Backward(Index1D i, ArrayView<float> z, ArrayView<float> dy, ArrayView<float> dz, int activation)
    {
        dz[i] = dy[i] * Derivative(activation, z[i]);
    }

    internal static float Value(int activation, float x)
    {
        switch (activation)
        {
            case (int)Activation.Relu:
                return x > 0f ? x : 0f;
            case (int)Activation.Tanh:
                return DeviceMath.Tanh(x);
            case (int)Activation.Sigmoid:
                return DeviceMath.Sigmoid(x);
            case (int)Activation.Softplus:
                return DeviceMath.Softplus(x);
            case (int)Activation.XTanh:
                return x * DeviceMath.Tanh(x);
            case (int)Activation.X2Tanh:
                return x * x * DeviceMath.Tanh(x);
            default:
                return x; // Linear
        }
    }

    internal static float Derivative(int activation, float x)
    {
        switch (activation)
        {
            case (int)Activation.Relu:
                // ReLU'(0) = 0, as in PyTorch: a neuron sitting exactly at the kink receives no gradient.
                return x > 0f ? 1f : 0f;
            case (int)Activation.Tanh:
            {
                float t = DeviceMath.Tanh(x);
                return 1f - t * t;
            }
            case (int)Activation.Sigmoid:
            {
                float s = DeviceMath.Sigmoid(x);
                return s * (1f - s);
            }
            case (int)Activation.Softplus:
                return DeviceMath.Sigmoid(x);
            case (int)Activation.XTanh:
            {
                float t = DeviceMath.Tanh(x);
                return t + x * (1f - t * t);
            }
            case (int)Activation.X2Tanh:
            {
                float t = DeviceMath.Tanh(x);
                return x * (2f * t + x * (1f - t * t));
            }
            default:
                return 1f; // Linear
        }
    }
}
