using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;

namespace CondensationDsl.Kernels.Tests.Conformance;

/// <summary>The same suite for the native CPU device (SIMD and threads), with shapes big enough to cross its
/// vector widths, cache blocks and thread partitions. Two threads: the partitioned paths, as on the 2-core machines.</summary>
public sealed class CpuConformanceTests : DeviceConformanceTests
{
    private readonly CpuDevice device = new(threads: 2);

    protected override IDevice Device => device;

    protected override IReadOnlyList<(int M, int N, int K)> GemmShapes { get; } =
        [(1, 1, 1), (3, 7, 5), (7, 3, 33), (17, 16, 16), (33, 5, 1), (2, 65, 19), (80, 1000, 1), (1000, 1, 80), (80, 1, 1000), (67, 131, 97)];

    protected override IReadOnlyList<int> Lengths { get; } = [1, 3, 7, 8, 9, 33, 65, 257, 1000, 4099];

    protected override IReadOnlyList<(int Rows, int Columns)> MatrixShapes { get; } =
        [(1, 1), (3, 7), (33, 1), (1, 65), (65, 33), (80, 1000), (1000, 3)];

    protected override void DisposeDevice() => device.Dispose();
}
