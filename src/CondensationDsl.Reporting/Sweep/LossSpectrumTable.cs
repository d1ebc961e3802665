using System.Globalization;
using System.Text;
using CondensationDsl.Analysis;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// The loss spectrum of a sweep (SCIENCE.md §3 row 7, figure 7, the embedding principle): its cells grouped by the value
/// of the let <see cref="LossSpectrumSpec.By"/> (the width m), and per group the fraction of training epochs spent in each
/// bin of log10(loss), summed over every completed cell of the group (the trials), accumulated by <see cref="LossSpectrum"/>.
/// </summary>
/// <remarks>
/// <para>Weighting (<see cref="EpochWeightRule"/>): a cell's metrics.csv rows are observations at increasing epochs; each
/// row's loss stands for the epochs from its own epoch up to the next row's, so its weight is that gap, and the last row
/// weighs 1. Rows every epoch give every epoch weight 1; rows every 10 or 100 epochs give the same frequencies up to that
/// resolution. The gap is read from the step column, the count training is declared in: it is the epoch itself when
/// training counts epochs (full-batch GD, as in figure 7) and a whole number of optimizer steps, proportional to the epoch
/// gap, when a mini-batch run counts steps (fractional epochs there); either way the frequencies are fractions of
/// training time.</para>
/// <para>Only completed cells enter: a failed, diverged or interrupted cell stopped early, and its curve is not the whole
/// training. They are counted apart (<see cref="Group.CellsNotCompleted"/>). Losses outside [10^From, 10^To] and NaN
/// losses (an empty loss cell) are counted below/above/invalid by <see cref="LossSpectrum"/>, never in the end bins.</para>
/// </remarks>
internal static class LossSpectrumTable
{
    /// <summary>The rule, as the CSV caption and the page state it.</summary>
    public const string EpochWeightRule =
        "each metrics.csv row's loss counts for the epochs from its epoch to the next row's (the last row counts 1), so a curve recorded every k epochs weighs like one recorded every epoch";

    /// <summary>
    /// One width. <see cref="ByText"/> is the value as run.json wrote it, <see cref="By"/> the number (NaN when not one);
    /// <see cref="Trials"/> the completed cells summed into <see cref="Spectrum"/> (those with a loss curve).
    /// </summary>
    public sealed record Group(string ByText, double By, IReadOnlyList<SweepCell> Cells, LossSpectrum Spectrum, int Trials, int CellsNotCompleted)
    {
        /// <summary>Epochs summed over the trials, in range or not.</summary>
        public long Epochs => Spectrum.Total;
    }

    /// <summary>The header of loss_spectrum.csv, the first column named after the let.</summary>
    public static string CsvHeader(LossSpectrumSpec spec) =>
        SweepCsv.Quote(spec.By) + ",trials,cells_not_completed,epochs,below_fraction,above_fraction,invalid_fraction,bin,bin_lo,bin_hi,frequency";

    /// <summary>The groups ordered by the let's value (numerically; values that are not numbers last, by their text).</summary>
    public static IReadOnlyList<Group> Compute(IReadOnlyList<SweepCell> cells, LossSpectrumSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return cells
            .GroupBy(cell => SweepSummary.ValueOf(cell, spec.By))
            .Select(group => ToGroup(group.Key, group.ToArray(), spec))
            .OrderBy(g => double.IsNaN(g.By)).ThenBy(g => g.By).ThenBy(g => g.ByText, StringComparer.Ordinal)
            .ToArray();
    }

    private static Group ToGroup(string byText, SweepCell[] cells, LossSpectrumSpec spec)
    {
        var spectrum = new LossSpectrum(spec.Bins, spec.From, spec.To);
        var completed = cells.Where(cell => cell.Run.Status == "completed").ToArray();
        var trials = 0;
        foreach (var cell in completed)
        {
            // A completed cell always has its loss curve; one without (a folder edited by hand) has nothing to add.
            var metrics = Path.Combine(cell.Directory, RunFolder.MetricsFileName);
            var table = File.Exists(metrics) ? MetricsTable.Read(metrics) : null;
            if (table is not null && table.IndexOf(LossColumn) >= 0 && table.Rows.Count > 0)
            {
                AddCurve(spectrum, table);
                trials++;
            }
        }

        return new Group(byText, PhaseDiagramTable.Parse(byText), cells, spectrum, trials, cells.Length - completed.Length);
    }

    /// <summary>Adds one cell's loss curve, each row weighted by the step gap to the next row (see <see cref="EpochWeightRule"/>).</summary>
    internal static void AddCurve(LossSpectrum spectrum, MetricsTable table)
    {
        var steps = table.Column(MetricsCsvWriter.StepColumn);
        var losses = table.Column(LossColumn);
        for (var i = 0; i < losses.Length; i++)
        {
            // A repeated step (the same epoch recorded twice) weighs 0: its time is the next row's.
            var weight = i + 1 < steps.Length ? (long)Math.Max(steps[i + 1] - steps[i], 0) : 1;
            spectrum.AddLoss(losses[i], weight);
        }
    }

    /// <summary>The metrics.csv column every row carries: the training loss (empty when it was NaN).</summary>
    public const string LossColumn = "loss";

    /// <summary>loss_spectrum.csv: one row per group and bin (see <see cref="CsvHeader"/>); a group without epochs has empty fractions.</summary>
    public static string RenderCsv(IReadOnlyList<Group> groups, LossSpectrumSpec spec)
    {
        var csv = new StringBuilder(CsvHeader(spec)).Append('\n');
        foreach (var g in groups)
        {
            var s = g.Spectrum;
            var any = g.Epochs > 0;
            string[] groupFields =
            [
                g.ByText, Integer(g.Trials), Integer(g.CellsNotCompleted), Integer(g.Epochs),
                Fraction(s.BelowFraction, any), Fraction(s.AboveFraction, any), Fraction(s.InvalidFraction, any),
            ];
            var prefix = string.Join(',', groupFields.Select(SweepCsv.Quote));
            var frequencies = s.Frequencies();
            for (var bin = 0; bin < s.Bins; bin++)
            {
                csv.Append(prefix).Append(',').Append(Integer(bin)).Append(',').Append(SweepSummary.Number(s.Edge(bin)))
                    .Append(',').Append(SweepSummary.Number(s.Edge(bin + 1))).Append(',').Append(Fraction(frequencies[bin], any)).Append('\n');
            }
        }

        return csv.ToString();
    }

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Fraction(double value, bool any) => any ? SweepSummary.Number(value) : string.Empty;
}
