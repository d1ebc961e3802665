using System.Globalization;
using System.Text;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// The sweep folder's own results, written after its cells ran (and by `cond report` on a sweep folder): sweep.csv, one
/// row per cell with its parameters, status, time, expectations and the last value of every metric; and sweep.html, the
/// cells side by side: a table, then each figure of the last snapshot and each curve in one row across the cells. When the
/// seed is swept, also sweep-summary.csv (and a table in sweep.html): mean and std over seeds (see <see cref="SweepAggregates"/>).
/// Built from the cell folders alone.
/// </summary>
public static class SweepSummary
{
    public const string CsvFileName = "sweep.csv";
    public const string HtmlFileName = "sweep.html";

    /// <summary>With a swept seed: the cells grouped by every other parameter, n and mean/std of each final metric.</summary>
    public const string AggregatesFileName = "sweep-summary.csv";

    /// <summary>With a `summary phase_diagram` in sweep.json: one row per (γ, γ′) point, its slope S_w and regimes.</summary>
    public const string PhaseDiagramCsvFileName = "phase_diagram.csv";

    /// <summary>With a `summary loss_spectrum` in sweep.json: per width and bin of log10(loss), the fraction of training epochs spent there.</summary>
    public const string LossSpectrumCsvFileName = "loss_spectrum.csv";

    /// <summary>The cell folders of a sweep folder (cell-&lt;id&gt;), in the order the sweep ran them when known.</summary>
    public static IReadOnlyList<string> CellDirectories(string sweepDirectory) =>
        Directory.Exists(sweepDirectory)
            ? Directory.GetDirectories(sweepDirectory, "cell-*")
                .Where(directory => File.Exists(Path.Combine(directory, RunFolder.RunJsonFileName)))
                .OrderBy(directory => File.GetCreationTimeUtc(Path.Combine(directory, RunFolder.RunJsonFileName)))
                .ThenBy(directory => directory, StringComparer.Ordinal)
                .ToArray()
            : [];

    /// <summary>
    /// Writes sweep.csv and sweep.html into <paramref name="sweepDirectory"/>; returns the path of sweep.html. When the folder
    /// has a sweep.json (<see cref="SweepSpecFile"/>), also its phase diagram (phase_diagram.csv, figures/phase_diagram.png
    /// and .svg), its loss spectrum (loss_spectrum.csv, figures/loss_spectrum.png and .svg) and its sweep-level expectation
    /// results (expectations.json), shown first in sweep.html.
    /// </summary>
    /// <exception cref="InvalidDataException">sweep.json is malformed.</exception>
    public static string Write(string sweepDirectory, IReadOnlyList<string> cellDirectories)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sweepDirectory);
        var cells = cellDirectories.Select(SweepCell.Read).ToArray();
        var swept = SweptParameters(cells);
        AtomicFile.WriteAllText(Path.Combine(sweepDirectory, CsvFileName), SweepCsv.Render(cells));
        var aggregates = Path.Combine(sweepDirectory, AggregatesFileName);
        if (SweepAggregates.Applies(swept))
        {
            AtomicFile.WriteAllText(aggregates, SweepAggregates.RenderCsv(SweepAggregates.Compute(cells)));
        }
        else
        {
            // An earlier sweep into this folder may have swept the seed; its groups are not this sweep's.
            File.Delete(aggregates);
        }

        var sweepLevel = SweepLevelFiles.Write(sweepDirectory, cells);
        var html = Path.Combine(sweepDirectory, HtmlFileName);
        AtomicFile.WriteAllText(html, SweepPage.Render(cells, swept, sweepLevel));
        return html;
    }

    /// <summary>The sweep-level `expect` results of the last <see cref="Write"/> (the sweep folder's expectations.json); empty when there are none.</summary>
    public static IReadOnlyList<ExpectationResult> ReadSweepExpectations(string sweepDirectory) =>
        Report.ExpectationsFile.Read(sweepDirectory);

    /// <summary>The parameters whose values differ between cells: what tells one column of the page from another.</summary>
    internal static IReadOnlyList<string> SweptParameters(IReadOnlyList<SweepCell> cells) =>
        cells.SelectMany(cell => cell.Run.Parameters.Select(p => p.Key))
            .Distinct(StringComparer.Ordinal)
            .Where(name => cells.Select(cell => ValueOf(cell, name)).Distinct(StringComparer.Ordinal).Count() > 1)
            .ToArray();

    internal static string ValueOf(SweepCell cell, string parameter) =>
        cell.Run.Parameters.FirstOrDefault(p => p.Key == parameter).Value ?? string.Empty;

    /// <summary>"gamma=0.5, seed=2": the swept values of a cell (its folder name when nothing differs).</summary>
    internal static string LabelOf(SweepCell cell, IReadOnlyList<string> swept) =>
        swept.Count == 0 ? cell.Name : string.Join(", ", swept.Select(name => name + "=" + ValueOf(cell, name)));

    internal static string Number(double value) =>
        double.IsNaN(value) ? string.Empty : value.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>sweep.csv: RFC 4180 quoting, invariant numbers, one row per cell.</summary>
internal static class SweepCsv
{
    public static string Render(IReadOnlyList<SweepCell> cells)
    {
        var parameters = cells.SelectMany(cell => cell.Run.Parameters.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToArray();
        var metrics = cells.SelectMany(cell => cell.FinalMetrics.Select(m => m.Key)).Distinct(StringComparer.Ordinal).ToArray();
        var csv = new StringBuilder();
        var header = new[] { "cell", "status" }.Concat(parameters).Concat(["wall_seconds", "expectations_passed", "expectations_total"])
            .Concat(metrics.Select(metric => "final." + metric));
        csv.AppendJoin(',', header.Select(Quote)).Append('\n');
        foreach (var cell in cells)
        {
            var fields = new List<string> { cell.Name, cell.Run.Status ?? "unknown" };
            fields.AddRange(parameters.Select(name => SweepSummary.ValueOf(cell, name)));
            fields.Add(cell.Run.WallSeconds is { } wall ? SweepSummary.Number(wall) : string.Empty);
            fields.Add(cell.ExpectationsPassed.ToString(CultureInfo.InvariantCulture));
            fields.Add(cell.Expectations.Count.ToString(CultureInfo.InvariantCulture));
            fields.AddRange(metrics.Select(metric => SweepSummary.Number(cell.FinalMetrics.FirstOrDefault(m => m.Key == metric, new(metric, double.NaN)).Value)));
            csv.AppendJoin(',', fields.Select(Quote)).Append('\n');
        }

        return csv.ToString();
    }

    internal static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
