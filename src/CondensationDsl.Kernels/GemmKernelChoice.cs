namespace CondensationDsl.Kernels;

/// <summary>Which GEMM kernel a device uses: Auto picks Tiled on GPUs and Simple on ILGPU's CPU simulator.</summary>
internal enum GemmKernelChoice { Auto, Tiled, Simple }
