using System.Reflection;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace CondensationDsl.Kernels.Tests;

/// <summary>CI has no GPU: compiling every kernel with ILGPU's PTX backend is how a kernel that would fail on CUDA
/// fails the build here.</summary>
public sealed class PtxCompilationTests
{
    public static TheoryData<string> KernelNames() => [.. KernelRegistry.All.Select(k => k.Name)];

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Kernel_CompilesToPtx(string name)
    {
        KernelDescriptor kernel = KernelRegistry.All.Single(k => k.Name == name);
        // sm_60 / PTX 6.0: the oldest target we promise (Pascal; newer GPUs JIT it); sm_90 / PTX 8.0: Hopper (H100/H200).
        foreach ((CudaArchitecture arch, CudaInstructionSet isa) in new[]
                 {
                     (CudaArchitecture.SM_60, CudaInstructionSet.ISA_60),
                     (CudaArchitecture.SM_90, CudaInstructionSet.ISA_80),
                 })
        {
            string ptx = PtxCompilation.Compile(kernel, arch, isa);
            Assert.Contains(".entry Kernel_", ptx);
            // ILGPU 1.5.3 emits `.target sm_80` when asked for sm_90 (its PTX backend caps the target at the newest
            // architecture it generates code for); the driver JIT-compiles that for Hopper, so only check a target exists.
            Assert.Contains(".target sm_", ptx);
            Assert.Contains("ret;", ptx);
        }
    }

    [Fact]
    public void Registry_ListsEveryKernelInTheLibrary()
    {
        // A kernel is any static method whose first parameter is an ILGPU index (implicitly grouped) or that lives in a
        // *Kernels class and takes ArrayViews (explicitly grouped): every one must be in KernelRegistry.All.
        Type[] indexTypes = [typeof(Index1D), typeof(Index2D), typeof(Index3D), typeof(LongIndex1D)];
        IEnumerable<MethodInfo> candidates = typeof(KernelRegistry).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.GetParameters() is { Length: > 0 } ps
                && (indexTypes.Contains(ps[0].ParameterType)
                    || (m.DeclaringType!.Name.EndsWith("Kernels", StringComparison.Ordinal) && m.ReturnType == typeof(void)
                        && ps.Any(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(ArrayView<>)))));
        var registered = KernelRegistry.All.Select(k => k.Method).ToHashSet();
        Assert.Empty(candidates.Where(m => !registered.Contains(m)).Select(m => $"{m.DeclaringType!.Name}.{m.Name}"));
        Assert.Equal(KernelRegistry.All.Count, KernelRegistry.All.Select(k => k.Name).Distinct().Count());
    }
}
