namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>Dense-layer passes as single operations (see <see cref="IFusedDenseDevice"/>).</summary>
public sealed partial class CpuDevice : IFusedDenseDevice
{
    public void DenseForward(Activation activation, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, DeviceBuffer z, DeviceBuffer a, int rows, int inputs, int outputs)
    {
        Gemm(false, true, rows, outputs, inputs, 1f, x, weight, 0f, z);
        if (bias is not null)
        {
            AddRowBroadcast(z, bias, rows, outputs);
        }

        ActivationForward(activation, z, a, rows * outputs);
    }

    public void DenseBackward(
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
        int outputs)
    {
        ActivationBackward(activation, z, da, dz, rows * outputs);
        Gemm(true, false, outputs, inputs, rows, 1f, dz, x, 0f, weightGradient);
        if (biasGradient is not null)
        {
            SumOverRows(dz, rows, outputs, biasGradient);
        }

        if (dx is not null)
        {
            Gemm(false, false, rows, inputs, outputs, 1f, dz, weight, 0f, dx);
        }
    }
}
