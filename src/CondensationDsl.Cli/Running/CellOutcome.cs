using CondensationDsl.Reporting;

namespace CondensationDsl.Cli.Running;

/// <summary>How one cell ended, where its files are, its `expect` results and its report (null with --no-report).</summary>
public sealed record CellOutcome(SweepCell Cell, string Directory, RunStatus Status, string? Message)
{
    public IReadOnlyList<ExpectationResult> Expectations { get; init; } = [];

    public string? ReportPath { get; init; }

    /// <summary>The parameters as the run resolved them (defaults included); empty when the run did not complete.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; init; } = new Dictionary<string, double>();
}
