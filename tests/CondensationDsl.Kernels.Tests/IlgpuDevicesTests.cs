using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Kernels.Tests;

public sealed class IlgpuDevicesTests
{
    [Fact]
    public void Create_UnknownKind_NamesTheKnownKinds()
    {
        var error = Assert.Throws<ArgumentException>(() => IlgpuDevices.Create("tpu"));
        Assert.Contains("cuda, opencl, ilgpu-cpu", error.Message);
    }

    [Fact]
    public void Create_GpuKinds_EitherWorkOrSayWhatIsMissing()
    {
        foreach (string kind in new[] { IlgpuDevices.Cuda, IlgpuDevices.OpenCL })
        {
            try
            {
                using IlgpuDevice device = IlgpuDevices.Create(kind);
                Assert.Equal(kind, device.Kind);
            }
            catch (DeviceUnavailableException error)
            {
                Assert.Contains(kind == IlgpuDevices.Cuda ? "No CUDA device" : "No OpenCL device", error.Message);
            }
        }
    }

    [Fact]
    public void Describe_ListsTheCpuSimulator_AndTryCreateBestOnlyReturnsGpus()
    {
        IReadOnlyList<AcceleratorInfo> all = IlgpuDevices.Describe();
        Assert.Contains(all, a => a.Kind == IlgpuDevices.IlgpuCpu && !a.IsGpu);
        using IlgpuDevice? best = IlgpuDevices.TryCreateBest();
        Assert.Equal(all.Any(a => a.IsGpu), best is not null);
    }

    [Fact]
    public void Buffers_AreRejectedByOtherDevices_AndDisposeIsIdempotent()
    {
        IlgpuDevice one = IlgpuDevices.Create(IlgpuDevices.IlgpuCpu);
        using IlgpuDevice two = IlgpuDevices.Create(IlgpuDevices.IlgpuCpu);
        DeviceBuffer buffer = one.Allocate(3);
        Assert.Equal("ilgpu-cpu", one.Kind);
        Assert.StartsWith("ilgpu-cpu: ", one.Name);
        Assert.Throws<ArgumentException>(() => two.Fill(buffer, 1f));
        Assert.Throws<ArgumentException>(() => one.Upload(new float[4], buffer));
        DeviceBuffer empty = one.Allocate(0);
        one.Fill(empty, 1f);
        one.Gemm(false, false, 0, 3, 0, 1f, empty, buffer, 0f, empty);
        one.Dispose();
        buffer.Dispose(); // after the accelerator is gone: must not fault
        one.Dispose();
        Assert.Throws<ObjectDisposedException>(() => one.Allocate(1));
    }
}
