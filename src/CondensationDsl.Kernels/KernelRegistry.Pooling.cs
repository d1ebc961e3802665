using CondensationDsl.Kernels.Kernels;
using ILGPU;

namespace CondensationDsl.Kernels;

public static partial class KernelRegistry
{
    /// <summary>The pooling and classification-loss kernels.</summary>
    private static KernelDescriptor[] Pooling =>
    [
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolArguments>>(PoolingKernels.MaxForward),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolArguments>>(PoolingKernels.MaxBackward),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, PoolArguments>>(PoolingKernels.AvgForward),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, PoolArguments>>(PoolingKernels.AvgBackward),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>>(CrossEntropyKernels.SoftmaxRows),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>>(CrossEntropyKernels.Correct),
    ];
}
