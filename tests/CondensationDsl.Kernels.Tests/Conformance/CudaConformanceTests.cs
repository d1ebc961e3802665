using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>Runs the CUDA suite only when COND_CUDA_TESTS=1 and ILGPU finds a CUDA device (tools/gpu-check.sh sets it);
/// otherwise every test is reported as skipped with the reason.</summary>
public sealed class CudaRequiredAttribute : DeviceRequirementAttribute
{
    public const string Variable = "COND_CUDA_TESTS";

    private static readonly Lazy<string?> Reason = new(() =>
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            return $"set {Variable}=1 to run the CUDA conformance suite (tools/gpu-check.sh does)";
        }
        return IlgpuDevices.Describe().Any(d => d.Kind == IlgpuDevices.Cuda) ? null : "no CUDA device found by ILGPU";
    });

    public override string? SkipReason() => Reason.Value;
}

public sealed class CudaDeviceFixture : IDisposable
{
    private readonly Lazy<IDevice> device = new(() => IlgpuDevices.Create(IlgpuDevices.Cuda));

    public IDevice Device => device.Value;

    public void Dispose()
    {
        if (device.IsValueCreated)
        {
            device.Value.Dispose();
        }
    }
}

/// <summary>The kernel library on a real CUDA GPU, with larger shapes (tile edges, many groups).</summary>
[CudaRequired]
public sealed class CudaConformanceTests(CudaDeviceFixture fixture)
    : DeviceConformanceTests, IClassFixture<CudaDeviceFixture>
{
    protected override IDevice Device => fixture.Device;

    protected override IReadOnlyList<(int M, int N, int K)> GemmShapes { get; } =
        [(1, 1, 1), (3, 7, 5), (7, 3, 33), (17, 16, 16), (33, 5, 1), (80, 1000, 1), (1000, 1, 80), (129, 257, 65), (2, 65, 19)];

    protected override IReadOnlyList<int> Lengths { get; } = [1, 3, 7, 33, 65, 257, 1000, 100_003];

    protected override IReadOnlyList<(int Rows, int Columns)> MatrixShapes { get; } =
        [(1, 1), (3, 7), (33, 1), (1, 65), (65, 33), (80, 1000), (1000, 3)];
}
