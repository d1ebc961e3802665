namespace CondensationDsl.Runtime.Devices;

/// <summary>
/// An optional capability: a device that runs a whole dense-layer pass as one operation, so it can sweep the data once
/// instead of once per primitive. The results mean exactly the composition of the <see cref="IDevice"/> primitives
/// named in each comment; devices without it get that composition from the model.
/// </summary>
public interface IFusedDenseDevice : IDevice
{
    /// <summary>Z = X·Wᵀ (Gemm), Z += b per row (AddRowBroadcast, when <paramref name="bias"/> is given), A = σ(Z).
    /// X is rows×inputs, W outputs×inputs; <paramref name="a"/> may be <paramref name="z"/> for the linear activation.</summary>
    void DenseForward(Activation activation, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, DeviceBuffer z, DeviceBuffer a, int rows, int inputs, int outputs);

    /// <summary>dZ = dA ∘ σ'(Z) into <paramref name="dz"/> (which may be <paramref name="da"/>), dW = dZᵀ·X, db = Σ_rows dZ
    /// (when <paramref name="biasGradient"/> is given), dX = dZ·W (when <paramref name="dx"/> is given).</summary>
    void DenseBackward(
        Activation activation,
        DeviceBuffer x,
        DeviceBuffer weight,
        DeviceBuffer z,
        DeviceBuffer da,
        DeviceBuffer dz,
        DeviceBuffer weightGradient,
        DeviceBuffer? biasGradient,
        DeviceBuffer? dx,
        int rows,
        int inputs,
        int outputs);
}
