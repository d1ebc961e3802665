using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>One ILGPU CPU-simulator device shared by a test class: creating it and compiling kernels costs seconds.</summary>
public sealed class IlgpuCpuDeviceFixture : IDisposable
{
    public IDevice Device { get; } = IlgpuDevices.Create(IlgpuDevices.IlgpuCpu);

    public void Dispose() => Device.Dispose();
}

/// <summary>The kernel library on ILGPU's CPU accelerator (a slow thread simulator, so the default small shapes).</summary>
public sealed class IlgpuCpuConformanceTests(IlgpuCpuDeviceFixture fixture)
    : DeviceConformanceTests, IClassFixture<IlgpuCpuDeviceFixture>
{
    protected override IDevice Device => fixture.Device;
}

public sealed class IlgpuCpuTiledGemmDeviceFixture : IDisposable
{
    public IDevice Device { get; } = IlgpuDevices.CreateSimulator(GemmKernelChoice.Tiled);

    public void Dispose() => Device.Dispose();
}

/// <summary>The suite again on the simulator with the shared-memory tiled GEMM (what GPUs run), which the simulator
/// would otherwise not use; shapes stay small because simulated group barriers are slow.</summary>
public sealed class IlgpuCpuTiledGemmConformanceTests(IlgpuCpuTiledGemmDeviceFixture fixture)
    : DeviceConformanceTests, IClassFixture<IlgpuCpuTiledGemmDeviceFixture>
{
    protected override IDevice Device => fixture.Device;
}
