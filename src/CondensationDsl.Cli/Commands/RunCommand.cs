using System.Runtime.InteropServices;
using CondensationDsl.Cli.Hosting;
using CondensationDsl.Cli.Output;
using CondensationDsl.Cli.Running;
using CondensationDsl.Reporting;

namespace CondensationDsl.Cli.Commands;

public sealed record RunRequest(string File, IReadOnlyList<string> Assignments, string Device, string? Output, bool Quiet, bool Report)
{
    /// <summary>`--resume`: keep the cells that already have a result in the output folder (see <see cref="ResumePlan"/>).</summary>
    public bool Resume { get; init; }

    /// <summary>`--jobs N`: cells run at once, each on its own device.</summary>
    public int Jobs { get; init; } = 1;
}

/// <summary>`cond run`: prepare, pick the device, run every cell, print where the results are.</summary>
public static class RunCommand
{
    public static int Execute(RunRequest request) => CommandGuard.Run(() =>
    {
        DeviceSelector.Validate(request.Device);
        using var experiment = PreparedExperiment.Prepare(request.File, request.Assignments);
        if (experiment is null)
        {
            return ExitCodes.Failure;
        }

        // No more jobs than cells: each job holds a device (and a CPU device its share of the cores).
        var devices = DeviceSelector.CreateMany(request.Device, Math.Min(request.Jobs, experiment.Cells.Count));
        using var release = new DeviceLease(devices);
        using var interrupt = new InterruptSignal();
        var outcomes = new CellRunner(experiment, devices, request.Quiet, request.Report, interrupt.Token) { Resume = request.Resume }.RunAll(request.Output);
        foreach (var outcome in outcomes)
        {
            Console.WriteLine($"{outcome.Status.ToString().ToLowerInvariant()}: {outcome.Directory}");
            foreach (var failed in outcome.Expectations.Where(result => !result.Passed))
            {
                Console.WriteLine($"  expectation not met: {failed.Message}");
            }

            if (outcome.ReportPath is not null)
            {
                Console.WriteLine($"report: {outcome.ReportPath}");
            }
        }

        if (SweepResults.TryWrite(outcomes) is { } sweep)
        {
            Console.WriteLine($"sweep: {sweep}");
            foreach (var failed in SweepResults.Expectations(outcomes).Where(result => !result.Passed))
            {
                Console.WriteLine($"  expectation not met: {failed.Message}");
            }
        }

        FailedCells.Print(outcomes);

        return ExitCodeOf(outcomes);
    });

    public static int ExitCodeOf(IReadOnlyList<CellOutcome> outcomes) =>
        outcomes.Any(outcome => outcome.Status == RunStatus.Interrupted) ? ExitCodes.Interrupted
        : outcomes.All(outcome => outcome.Status == RunStatus.Completed) ? ExitCodes.Success
        : ExitCodes.Failure;
}

/// <summary>Disposes the devices of the jobs when the command ends.</summary>
public sealed class DeviceLease(IReadOnlyList<Runtime.Devices.IDevice> devices) : IDisposable
{
    public void Dispose() => DeviceSelector.DisposeAll(devices);
}

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM asks the run to stop at the next step, so files are closed and run.json says
/// "interrupted"; a second signal ends the process at once.
/// </summary>
public sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;

    public InterruptSignal() =>
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];

    public CancellationToken Token => source.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (source.IsCancellationRequested)
        {
            return; // Second signal: the default handling ends the process.
        }

        context.Cancel = true;
        source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        source.Dispose();
    }
}
