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

    /// <summary>Whether <see cref="DenseBackwardWithScalarHead"/> handles a layer with this activation and input count.</summary>
    bool SupportsScalarHead(Activation activation, int inputs);

    /// <summary>
    /// The backward pass of a layer followed by a dense layer with one output (weights W_next, 1×outputs) whose
    /// pre-activation gradient dY (rows×1) is known, without materializing dA: dW_next = dYᵀ·A, dA = dY·W_next,
    /// dZ = dA ∘ σ'(Z) (stored into <paramref name="dz"/> when given), dW = dZᵀ·X, db = Σ_rows dZ (when
    /// <paramref name="biasGradient"/> is given). X is rows×inputs; Z and A are the layer's rows×outputs buffers.
    /// </summary>
    void DenseBackwardWithScalarHead(
        Activation activation,
        DeviceBuffer x,
        DeviceBuffer z,
        DeviceBuffer a,
        DeviceBuffer nextWeight,
        DeviceBuffer dy,
        DeviceBuffer nextWeightGradient,
        DeviceBuffer? dz,
        DeviceBuffer weightGradient,
        DeviceBuffer? biasGradient,
        int rows,
        int inputs,
        int outputs);
}
