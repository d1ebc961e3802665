using CondensationDsl.Kernels.Kernels;
using ILGPU;

namespace CondensationDsl.Kernels;

public static partial class KernelRegistry
{
    /// <summary>The convolution kernels: forward, and the input, weight and bias gradients.</summary>
    private static KernelDescriptor[] Convolution =>
    [
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>>(ConvolutionKernels.Forward),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>>(ConvolutionKernels.InputGradient),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>>(ConvolutionKernels.WeightGradient),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ConvArguments>>(ConvolutionKernels.BiasGradient),
    ];
}
