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

    public static IDevice Create(string kind) => Create(kind, Environment.ProcessorCount);

    /// <summary>
    /// One device per job (`--jobs N`): a device serves one caller at a time. CPU devices share the cores, each with
    /// max(1, cores / N) threads, so N jobs do not oversubscribe them; the CPU kernels split work by shape, not by thread
    /// count, so the results are the same bits. On a failure, the devices already made are disposed.
    /// </summary>
    public static IReadOnlyList<IDevice> CreateMany(string kind, int jobs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        var threads = Math.Max(1, Environment.ProcessorCount / jobs);
        var devices = new List<IDevice>(jobs);
        try
        {
            for (var i = 0; i < jobs; i++)
            {
                devices.Add(Create(kind, threads));
            }

            return devices;
        }
        catch
        {
            DisposeAll(devices);
            throw;
        }
    }

    public static void DisposeAll(IEnumerable<IDevice> devices)
    {
        foreach (var device in devices)
        {
            device.Dispose();
        }
    }

    private static IDevice Create(string kind, int cpuThreads)
    {
        Validate(kind);
        try
        {
            return kind switch
            {
                "auto" => (IDevice?)IlgpuDevices.TryCreateBest() ?? new CpuDevice(cpuThreads),
                "cpu" => new CpuDevice(cpuThreads),
                _ => IlgpuDevices.Create(kind),
            };
        }
        catch (DeviceUnavailableException unavailable)
        {
            throw new CommandFailure(HostDiagnostics.DeviceUnavailable(kind, unavailable.Message));
        }
    }
}
