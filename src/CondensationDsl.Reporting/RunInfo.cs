using System.Runtime.InteropServices;

namespace CondensationDsl.Reporting;

/// <summary>
/// What run.json says about the environment and inputs of a run. <see cref="GitCommit"/> null means "look it up from the
/// current directory when the run starts"; <see cref="Parameters"/> can be replaced later, once the program has resolved them.
/// </summary>
public sealed record RunInfo(string ToolVersion, string DeviceName, ulong? Seed, IReadOnlyDictionary<string, double> Parameters)
{
    public string DotNetVersion { get; init; } = RuntimeInformation.FrameworkDescription;

    /// <summary>ILGPU's version when the device uses it; null for the plain CPU device.</summary>
    public string? IlgpuVersion { get; init; }

    public string? GitCommit { get; init; }

    /// <summary>
    /// Seconds until the first training step was done: from process start for the first run of a process (front end,
    /// compile or cache, load, device, data, model, one step), from the run's start for later cells of a sweep.
    /// </summary>
    public double? StartupSeconds { get; init; }

    /// <summary>
    /// The words of choice parameters (`let act = tanh`), which run.json writes instead of their indices in
    /// <see cref="Parameters"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ParameterWords { get; init; } = new Dictionary<string, string>();
}
