using CondensationDsl.Kernels.Kernels;
using ILGPU;

namespace CondensationDsl.Kernels;

public static partial class KernelRegistry
{
    /// <summary>The batch-normalization kernels (statistics, both forward passes, backward) and the residual add.</summary>
    private static KernelDescriptor[] BatchNorm =>
    [
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, BatchNormArguments>>(BatchNormKernels.MomentPartials),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>>(BatchNormKernels.MomentFinish),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>>(BatchNormKernels.NormalizeTraining),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>>(BatchNormKernels.NormalizeInference),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>>(BatchNormKernels.GradientPartials),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>>(BatchNormKernels.GradientFinish),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>>(BatchNormKernels.InputGradient),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>>(ResidualKernels.Add),
    ];
}
