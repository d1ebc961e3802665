using System.Security.Cryptography;
using System.Text;
using CondensationDsl.Language;
using CondensationDsl.Reporting;
using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>
/// `--resume`: which cells of an earlier run into the same folders are results to keep and which must run again.
/// A cell is kept when its run.json says completed, failed, diverged or unconverged: those are results (a deterministic divergence or
/// failure would only happen again). A cell that is missing, unreadable, running (the process died) or interrupted runs
/// again. Every kept cell must have run the same source, or the sweep would mix two experiments: that is refused.
/// </summary>
public static class ResumePlan
{
    /// <summary>The statuses that count as a result of the cell (kept by --resume).</summary>
    public static readonly IReadOnlySet<string> KeptStatuses = new HashSet<string>(StringComparer.Ordinal) { "completed", "failed", "diverged", "unconverged" };

    /// <summary>
    /// The kept cells' outcomes by cell index (null where the cell must run). Throws <see cref="UsageException"/>
    /// (COND0908) when a kept cell recorded another source than <paramref name="experiment"/>'s.
    /// </summary>
    public static CellOutcome?[] Inspect(PreparedExperiment experiment, IReadOnlyList<string> targets, string folder)
    {
        var source = Hash(experiment.Source.Text);
        var kept = new CellOutcome?[targets.Count];
        var changed = new List<string>();
        for (var i = 0; i < targets.Count; i++)
        {
            var cell = experiment.Cells[i];
            var record = RunRecord.Read(targets[i]);
            if (record.Problem is not null || record.Status is not { } status || !KeptStatuses.Contains(status))
            {
                continue;
            }

            if (RecordedSourceHash(targets[i]) != source)
            {
                changed.Add(cell.Label.Length > 0 ? cell.Label : Path.GetFileName(targets[i]));
                continue;
            }

            kept[i] = new CellOutcome(cell, targets[i], ParseStatus(status), record.Message)
            {
                Parameters = ParametersOf(record, experiment.Loaded.Program.Info.Parameters),
            };
        }

        if (changed.Count > 0)
        {
            throw new UsageException(HostDiagnostics.ResumeRefused(folder, changed));
        }

        return kept;
    }

    /// <summary>SHA-256 of a source text, as UTF-8: the identity of "the same experiment".</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The hash of the experiment.cond a run folder holds (the copy of the source it ran); null without one.</summary>
    private static string? RecordedSourceHash(string directory)
    {
        var path = Path.Combine(directory, RunFolder.SourceFileName);
        return File.Exists(path) ? Hash(File.ReadAllText(path)) : null;
    }

    private static RunStatus ParseStatus(string status) => status switch
    {
        "completed" => RunStatus.Completed,
        "diverged" => RunStatus.Diverged,
        "unconverged" => RunStatus.Unconverged,
        _ => RunStatus.Failed,
    };

    /// <summary>
    /// The parameters run.json recorded, as numbers again (a choice as its index): `expect … where` is checked on them.
    /// A value that does not parse (hand-edited file) is left out, so only its `where` clauses stop applying.
    /// </summary>
    private static Dictionary<string, double> ParametersOf(RunRecord record, IReadOnlyList<ParameterDeclaration> declarations)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, text) in record.Parameters)
        {
            var declaration = declarations.FirstOrDefault(d => d.Name == name) ?? new ParameterDeclaration(name, ParameterType.Real, null, "");
            if (text is not null && declaration.TryParse(text, out var value))
            {
                values[name] = value;
            }
        }

        return values;
    }
}
