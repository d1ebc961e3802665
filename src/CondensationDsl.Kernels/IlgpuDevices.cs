using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace CondensationDsl.Kernels;

/// <summary>One accelerator ILGPU can see, for <c>cond devices</c>.</summary>
/// <param name="Kind">cuda, opencl or ilgpu-cpu (the name <see cref="IlgpuDevices.Create"/> takes).</param>
/// <param name="IsGpu">True for CUDA devices and OpenCL GPUs (what <c>--device auto</c> would use).</param>
public sealed record AcceleratorInfo(
    string Kind, string Name, bool IsGpu, long MemoryBytes, int Multiprocessors, int MaxThreadsPerGroup, int WarpSize);

/// <summary>Creates <see cref="IlgpuDevice"/>s by kind and lists the accelerators ILGPU can see.</summary>
public static class IlgpuDevices
{
    public const string Cuda = "cuda";
    public const string OpenCL = "opencl";
    public const string IlgpuCpu = "ilgpu-cpu";

    public static IReadOnlyList<string> Kinds { get; } = [Cuda, OpenCL, IlgpuCpu];

    /// <summary>
    /// ILGPU's CPU accelerator (a thread simulator for testing kernels, not a fast device): few simulated threads, since
    /// every one is an OS thread and a launch wakes them all (8 threads ran a W1 training step ~4× faster than 16 and ~7×
    /// faster than 256 on 2 cores); what it computes does not depend on the thread count.
    /// </summary>
    internal static CPUDevice SimulatorDevice { get; } =
        new(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 4, numMultiprocessors: 1);

    /// <summary>The simulator with groups big enough for the tiled GEMM's 16×16 threads (ILGPU's default allows 16).</summary>
    internal static CPUDevice TiledSimulatorDevice { get; } =
        new(numThreadsPerWarp: 16, numWarpsPerMultiprocessor: 16, numMultiprocessors: 1);

    /// <summary>The CPU simulator with an explicit GEMM kernel choice, so tests can run the tiled kernel on it too.</summary>
    internal static IlgpuDevice CreateSimulator(GemmKernelChoice gemm)
    {
        Context context = CreateContext(b => b.CPU(gemm == GemmKernelChoice.Tiled ? TiledSimulatorDevice : SimulatorDevice));
        return Wrap(context, IlgpuCpu, c => c.GetCPUDevice(0).CreateAccelerator(c), gemm);
    }

    /// <summary>Creates the device of one kind: "cuda", "opencl" (a GPU if there is one, else any OpenCL device) or
    /// "ilgpu-cpu". Throws <see cref="DeviceUnavailableException"/> naming what is missing.</summary>
    public static IlgpuDevice Create(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind switch
        {
            Cuda => CreateCuda() ?? throw new DeviceUnavailableException(
                "No CUDA device: ILGPU found no NVIDIA GPU with a usable driver (libcuda). " +
                "Use --device cpu, or install the NVIDIA driver."),
            OpenCL => CreateOpenCL(gpuOnly: false) ?? throw new DeviceUnavailableException(
                "No OpenCL device: ILGPU found no OpenCL platform with a supported device (an OpenCL ICD loader and " +
                "a vendor driver are needed). Use --device cpu."),
            IlgpuCpu => CreateSimulator(GemmKernelChoice.Auto),
            _ => throw new ArgumentException(
                $"Unknown ILGPU device kind '{kind}'; expected one of: {string.Join(", ", Kinds)}.", nameof(kind)),
        };
    }

    /// <summary>The best GPU: CUDA first, then an OpenCL GPU; null when there is none.</summary>
    public static IlgpuDevice? TryCreateBest() => CreateCuda() ?? CreateOpenCL(gpuOnly: true);

    /// <summary>Every accelerator ILGPU can see (CUDA, OpenCL, and its CPU simulator).</summary>
    public static IReadOnlyList<AcceleratorInfo> Describe()
    {
        using Context context = CreateContext(b => b.Cuda().OpenCL().CPU(SimulatorDevice));
        var result = new List<AcceleratorInfo>();
        foreach (Device device in context)
        {
            (string kind, bool gpu) = device switch
            {
                CudaDevice => (Cuda, true),
                CLDevice cl => (OpenCL, cl.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU),
                _ => (IlgpuCpu, false),
            };
            result.Add(new AcceleratorInfo(
                kind, device.Name, gpu, device.MemorySize, device.NumMultiprocessors, device.MaxNumThreadsPerGroup,
                device.WarpSize));
        }
        return result;
    }

    /// <summary>The one place the ILGPU context is configured, shared by the devices and the PTX compilation,
    /// so the PTX test compiles kernels exactly as a CUDA device would. EnableAlgorithms registers ILGPU.Algorithms'
    /// implementations of MathF.Exp/Log for PTX and OpenCL: ILGPU's core has none and fails with "ExpF does not have an
    /// intrinsic implementation for this backend" (the CPU simulator calls .NET's MathF and never needs them).</summary>
    internal static Context CreateContext(Func<Context.Builder, Context.Builder> accelerators) =>
        accelerators(Context.Create().Optimize(OptimizationLevel.O1).EnableAlgorithms()).ToContext();

    private static IlgpuDevice? CreateCuda()
    {
        Context context = CreateContext(b => b.Cuda());
        List<CudaDevice> devices = [.. context.GetCudaDevices()];
        if (devices.Count == 0)
        {
            context.Dispose();
            return null;
        }
        return Wrap(context, Cuda, c => devices[0].CreateAccelerator(c));
    }

    private static IlgpuDevice? CreateOpenCL(bool gpuOnly)
    {
        Context context = CreateContext(b => b.OpenCL());
        List<CLDevice> devices = [.. context.GetCLDevices()];
        CLDevice? chosen = devices.FirstOrDefault(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU);
        if (chosen is null && !gpuOnly)
        {
            chosen = devices.FirstOrDefault();
        }
        if (chosen is null)
        {
            context.Dispose();
            return null;
        }
        return Wrap(context, OpenCL, c => chosen.CreateAccelerator(c));
    }

    /// <summary>Creates the accelerator and the device; on failure disposes the context so nothing leaks.</summary>
    private static IlgpuDevice Wrap(
        Context context, string kind, Func<Context, Accelerator> create, GemmKernelChoice gemm = GemmKernelChoice.Auto)
    {
        try
        {
            return new IlgpuDevice(context, create(context), kind, gemm);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }
}
