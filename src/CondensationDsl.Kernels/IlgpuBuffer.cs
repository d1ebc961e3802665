using CondensationDsl.Runtime.Devices;
using ILGPU;
using ILGPU.Runtime;

namespace CondensationDsl.Kernels;

/// <summary>A float32 buffer in an ILGPU accelerator's memory. Zero-length buffers hold one hidden element, because
/// ILGPU does not allocate empty buffers on every backend; <see cref="DeviceBuffer.Length"/> stays the requested length.</summary>
internal sealed class IlgpuBuffer : DeviceBuffer
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> memory;
    private bool disposed;

    public IlgpuBuffer(IlgpuDevice owner, MemoryBuffer1D<float, Stride1D.Dense> memory, int length)
        : base(length)
    {
        Owner = owner;
        this.memory = memory;
    }

    public IlgpuDevice Owner { get; }

    /// <summary>The first <see cref="DeviceBuffer.Length"/> elements.</summary>
    public ArrayView<float> View
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return memory.View.SubView(0, Length);
        }
    }

    public override void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        // The accelerator frees every buffer it still owns when it is disposed; freeing again would fault.
        if (!Owner.IsDisposed)
        {
            memory.Dispose();
        }
    }
}
