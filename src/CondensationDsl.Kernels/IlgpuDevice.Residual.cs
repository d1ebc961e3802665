using CondensationDsl.Kernels.Kernels;
using CondensationDsl.Runtime.Devices;
using ILGPU;
using ILGPU.Runtime;

namespace CondensationDsl.Kernels;

/// <summary>The residual add (<see cref="IResidualDevice"/>) as <see cref="ResidualKernels.Add"/>, one thread per element.</summary>
public sealed partial class IlgpuDevice : IResidualDevice
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>? residualAdd;

    public void Add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, int length)
    {
        IlgpuBuffer left = Own(a);
        IlgpuBuffer right = Own(b);
        IlgpuBuffer sum = Own(y);
        RequireLength(left, length, nameof(a));
        RequireLength(right, length, nameof(b));
        RequireLength(sum, length, nameof(y));
        if (length > 0)
        {
            residualAdd ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ResidualKernels.Add);
            residualAdd(length, left.View, right.View, sum.View);
        }
    }
}
