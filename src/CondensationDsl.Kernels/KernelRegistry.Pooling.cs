namespace CondensationDsl.Kernels;

public static partial class KernelRegistry
{
    /// <summary>The pooling and classification-loss kernels (none yet).</summary>
    private static KernelDescriptor[] Pooling => [];
}
