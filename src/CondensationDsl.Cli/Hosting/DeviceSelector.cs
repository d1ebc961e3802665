using CondensationDsl.Cli.Output;
using CondensationDsl.Cli.Running;
using CondensationDsl.Kernels;
using CondensationDsl.Language;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;

namespace CondensationDsl.Cli.Hosting;

/// <summary>`--device auto|cpu|cuda|opencl|ilgpu-cpu`. auto: CUDA, then an OpenCL GPU, then the CPU device.</summary>
public static class DeviceSelector
{
    public static readonly string[] Kinds = ["auto", "cpu", "cuda", "opencl", "ilgpu-cpu"];

    /// <summary>Rejects an unknown kind before any work is done (a usage error).</summary>
    public static void Validate(string kind)
    {
        if (!Kinds.Contains(kind))
        {
            throw new UsageException(HostDiagnostics.UnknownDevice(kind, Kinds));
        }
    }

    public static IDevice Create(string kind)
    {
        Validate(kind);
        try
        {
            return kind switch
            {
                "auto" => (IDevice?)IlgpuDevices.TryCreateBest() ?? new CpuDevice(),
                "cpu" => new CpuDevice(),
                _ => IlgpuDevices.Create(kind),
            };
        }
        catch (DeviceUnavailableException unavailable)
        {
            throw new CommandFailure(HostDiagnostics.DeviceUnavailable(kind, unavailable.Message));
        }
    }
}
