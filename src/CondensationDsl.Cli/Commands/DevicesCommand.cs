using CondensationDsl.Cli.Output;
using CondensationDsl.Kernels;
using CondensationDsl.Runtime.Devices.Cpu;
using Spectre.Console;

namespace CondensationDsl.Cli.Commands;

/// <summary>`cond devices`: what `--device` can choose on this machine, and what `auto` would pick.</summary>
public static class DevicesCommand
{
    public static int Execute()
    {
        var table = new Table().AddColumns("--device", "name", "memory", "notes");
        using (var cpu = new CpuDevice())
        {
            table.AddRow("cpu", Markup.Escape(cpu.Name), "", "native SIMD + threads, bit-identical reruns");
        }

        var anyGpu = false;
        foreach (var accelerator in IlgpuDevices.Describe())
        {
            anyGpu |= accelerator.IsGpu;
            var memory = accelerator.IsGpu && accelerator.MemoryBytes > 0 ? $"{accelerator.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB" : "";
            var notes = accelerator.Kind == IlgpuDevices.IlgpuCpu ? "kernel simulator, for tests only (slow)" : accelerator.IsGpu ? "GPU" : "";
            table.AddRow(Markup.Escape(accelerator.Kind), Markup.Escape(accelerator.Name), memory, notes);
        }

        AnsiConsole.Write(table);
        Console.WriteLine(anyGpu ? "auto: the first GPU above (CUDA before OpenCL)" : "auto: cpu (no CUDA or OpenCL GPU found)");
        return ExitCodes.Success;
    }
}
