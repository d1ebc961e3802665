using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// A CPU device buffer. The array lives on the pinned object heap so kernels can hold raw pointers into it
/// without pinning on every call.
/// </summary>
internal sealed unsafe class CpuBuffer : DeviceBuffer
{
    public CpuBuffer(CpuDevice owner, int length)
        : base(length)
    {
        Owner = owner;
        Data = GC.AllocateArray<float>(Math.Max(length, 1), pinned: true);
        Pointer = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Data));
    }

    public CpuDevice Owner { get; }

    public float[] Data { get; }

    public float* Pointer { get; }

    public Span<float> Span => Data.AsSpan(0, Length);

    // The pinned array is reclaimed by the GC; nothing native to release.
    public override void Dispose()
    {
    }
}
