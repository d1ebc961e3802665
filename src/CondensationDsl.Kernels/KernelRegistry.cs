using System.Reflection;
using CondensationDsl.Kernels.Kernels;
using ILGPU;

namespace CondensationDsl.Kernels;

/// <summary>How a kernel is launched: implicitly grouped (ILGPU picks the groups; first parameter is the index)
/// or explicitly grouped (we give grid and group sizes; it uses shared memory and barriers).</summary>
public enum KernelGrouping { Implicit, Explicit }

/// <summary>One kernel of the library.</summary>
public sealed record KernelDescriptor(string Name, MethodInfo Method, KernelGrouping Grouping);

/// <summary>
/// The one list of every kernel in the library. The PTX test compiles each entry, and a reflection test checks that
/// every kernel-shaped method in this assembly is listed here, so a new kernel cannot skip the PTX check.
/// </summary>
public static partial class KernelRegistry
{
    /// <summary>Every kernel: the dense layers' (listed here) and each layer family's own list, in its own file.</summary>
    public static IReadOnlyList<KernelDescriptor> All { get; } = [.. Dense, .. Convolution, .. Pooling, .. Optimizers, .. BatchNorm];

    private static KernelDescriptor[] Dense =>
    [
        Implicit<Action<Index1D, ArrayView<float>, float>>(ElementwiseKernels.Fill),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>>>(ElementwiseKernels.Copy),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, int>>(ElementwiseKernels.AddRowBroadcast),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>>(ElementwiseKernels.Multiply),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, int>>(ActivationKernels.Forward),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>>(ActivationKernels.Backward),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, int, int>>(ReductionKernels.SumOverRows),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>>(ReductionKernels.MsePartials),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, int, float>>(ReductionKernels.MseFinish),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, float>>(OptimizerKernels.GradientDescent),
        Implicit<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamCoefficients>>(OptimizerKernels.Adam),
        Implicit<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments>>(GemmKernels.Simple),
        Explicit<Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments>>(GemmKernels.Tiled),
    ];

    private static KernelDescriptor Implicit<TDelegate>(TDelegate kernel) where TDelegate : Delegate =>
        Describe(kernel, KernelGrouping.Implicit);

    private static KernelDescriptor Explicit<TDelegate>(TDelegate kernel) where TDelegate : Delegate =>
        Describe(kernel, KernelGrouping.Explicit);

    private static KernelDescriptor Describe(Delegate kernel, KernelGrouping grouping)
    {
        MethodInfo method = kernel.Method;
        return new KernelDescriptor($"{method.DeclaringType!.Name}.{method.Name}", method, grouping);
    }
}
