using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace CondensationDsl.Kernels;

/// <summary>
/// Compiles library kernels to PTX text without a GPU or a CUDA driver, using ILGPU's PTX backend directly
/// (the same backend a CUDA accelerator uses, in a context configured like the devices'). CI uses it to prove that
/// every kernel would load on CUDA.
/// </summary>
public static class PtxCompilation
{
    /// <summary>Returns the PTX assembly of one kernel for one architecture and PTX instruction set.</summary>
    public static string Compile(KernelDescriptor kernel, CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        using var context = IlgpuDevices.CreateContext(b => b);
        // No NVVM (libdevice) API: our kernels only use math ILGPU lowers itself.
        using var backend = new PTXBackend(context, architecture, instructionSet, null!);
        EntryPointDescription entry = kernel.Grouping == KernelGrouping.Implicit
            ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel.Method)
            : EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }
}
