using System.Globalization;
using System.Text;
using CondensationDsl.Analysis;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// The phase diagram of a sweep (SCIENCE.md §2, figure 5): its cells grouped by their (γ, γ′) values, and per group the
/// slope S_w of log RelDis at the end of training against log m, fitted by <see cref="PhaseDiagram.Slope"/> over every
/// completed cell of the group (all widths and seeds).
/// </summary>
/// <remarks>
/// Only completed cells enter the fit: a failed, diverged or interrupted cell's RelDis is where it stopped, not the end of
/// the same training. They are counted apart (<see cref="Group.CellsNotCompleted"/>) so the figure and the CSV can show
/// that a point rests on fewer cells than the sweep ran.
/// </remarks>
internal static class PhaseDiagramTable
{
    /// <summary>
    /// One (γ, γ′) point. <see cref="GammaText"/> and <see cref="GammaPrimeText"/> are the values as run.json wrote them;
    /// <see cref="Widths"/> and <see cref="RelDis"/> the completed cells' width and last RelDis, in cell order.
    /// </summary>
    public sealed record Group(
        string GammaText,
        string GammaPrimeText,
        double Gamma,
        double GammaPrime,
        IReadOnlyList<SweepCell> Cells,
        double[] Widths,
        double[] RelDis,
        SlopeFit Fit,
        int CellsNotCompleted,
        PhaseRegime Theoretical,
        PhaseRegime Measured)
    {
        /// <summary>How many distinct widths the fit used (points with a finite logarithm of RelDis, as in <see cref="PhaseDiagram.Slope"/>).</summary>
        public int WidthsUsed => Widths.Where((_, i) => RelDis[i] > 0 && double.IsFinite(RelDis[i])).Distinct().Count();
    }

    public const string CsvHeader = "gamma,gamma_prime,slope,slope_stderr,widths_used,cells_used,cells_not_completed,measured_regime,theoretical_regime";

    /// <summary>The groups ordered by γ, then γ′ (numerically; values that are not numbers last, by their text).</summary>
    public static IReadOnlyList<Group> Compute(IReadOnlyList<SweepCell> cells, PhaseDiagramSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return cells
            .GroupBy(cell => (SweepSummary.ValueOf(cell, spec.Gamma), SweepSummary.ValueOf(cell, spec.GammaPrime)))
            .Select(group => ToGroup(group.Key.Item1, group.Key.Item2, group.ToArray(), spec))
            .OrderBy(g => double.IsNaN(g.Gamma)).ThenBy(g => g.Gamma).ThenBy(g => double.IsNaN(g.GammaPrime)).ThenBy(g => g.GammaPrime)
            .ThenBy(g => g.GammaText, StringComparer.Ordinal).ThenBy(g => g.GammaPrimeText, StringComparer.Ordinal)
            .ToArray();
    }

    private static Group ToGroup(string gammaText, string gammaPrimeText, SweepCell[] cells, PhaseDiagramSpec spec)
    {
        // A cell without a readable width has no place on the log m axis: it is left out of the fit like a failed one.
        var completed = cells.Where(cell => cell.Run.Status == "completed")
            .Select(cell => (Cell: cell, Width: Parse(SweepSummary.ValueOf(cell, spec.Width))))
            .Where(point => point.Width > 0 && double.IsFinite(point.Width))
            .ToArray();
        var widths = completed.Select(point => point.Width).ToArray();
        var relDis = completed.Select(point => point.Cell.FinalMetrics.FirstOrDefault(m => m.Key == spec.RelDisColumn, new(spec.RelDisColumn, double.NaN)).Value).ToArray();
        var fit = PhaseDiagram.Slope(widths, relDis);
        var gamma = Parse(gammaText);
        var gammaPrime = Parse(gammaPrimeText);
        var notCompleted = cells.Count(cell => cell.Run.Status != "completed");
        return new Group(gammaText, gammaPrimeText, gamma, gammaPrime, cells, widths, relDis, fit, notCompleted,
            PhaseDiagram.TheoreticalRegime(gamma, gammaPrime), PhaseDiagram.ClassifySlope(fit));
    }

    /// <summary>A parameter value as run.json wrote it, as a number; NaN when it is not one (missing, or a choice word).</summary>
    public static double Parse(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;

    /// <summary>The regime as a word for the CSV and the page.</summary>
    public static string Word(PhaseRegime regime) => regime.ToString().ToLowerInvariant();

    /// <summary>phase_diagram.csv: one row per group (see <see cref="CsvHeader"/>).</summary>
    public static string RenderCsv(IReadOnlyList<Group> groups)
    {
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (var g in groups)
        {
            string[] fields =
            [
                g.GammaText, g.GammaPrimeText, SweepSummary.Number(g.Fit.Slope), SweepSummary.Number(g.Fit.StandardError),
                g.WidthsUsed.ToString(CultureInfo.InvariantCulture), g.Fit.Count.ToString(CultureInfo.InvariantCulture),
                g.CellsNotCompleted.ToString(CultureInfo.InvariantCulture), Word(g.Measured), Word(g.Theoretical),
            ];
            csv.AppendJoin(',', fields.Select(SweepCsv.Quote)).Append('\n');
        }

        return csv.ToString();
    }
}
