using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CondensationDsl.Cli.Output;
using CondensationDsl.Kernels;
using Spectre.Console;

namespace CondensationDsl.Cli.Commands;

/// <summary>`cond devices`: what `--device` can choose on this machine, and what `auto` would pick.</summary>
public static class DevicesCommand
{
    public static int Execute()
    {
        var table = new Table().AddColumns("--device", "name", "memory", "notes");
        var simd = Avx2.IsSupported ? "AVX2" : Vector256.IsHardwareAccelerated ? "256-bit SIMD" : Vector128.IsHardwareAccelerated ? "128-bit SIMD" : "scalar";
        table.AddRow("cpu", Markup.Escape($"{Environment.ProcessorCount} threads, {simd}"), "", "native SIMD + threads, bit-identical reruns");
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
