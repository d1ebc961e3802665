namespace CondensationDsl.Kernels;

public static partial class KernelRegistry
{
    /// <summary>The convolution kernels (none yet).</summary>
    private static KernelDescriptor[] Convolution => [];
}
