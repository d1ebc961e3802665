using CondensationDsl.Kernels.Kernels;
using ILGPU;

namespace CondensationDsl.Kernels;

public static partial class KernelRegistry
{
    /// <summary>The weight-decay, momentum and AdamW updates (the plain GD and Adam kernels are in the dense list).</summary>
    private static KernelDescriptor[] Optimizers =>
    [
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, SgdCoefficients>>(OptimizerKernels.SgdDecay),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdCoefficients>>(OptimizerKernels.SgdMomentum),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamCoefficients, AdamDecayCoefficients>>(OptimizerKernels.AdamDecay),
    ];
}
