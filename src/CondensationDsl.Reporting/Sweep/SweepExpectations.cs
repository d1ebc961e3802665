using System.Globalization;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// Checks the sweep-level `expect` clauses (`expect slope at end op value where gamma in [...]`) against the phase
/// diagram's groups: one result per clause and selected group, or one failing result when the clause selects none (a
/// `where` that matches nothing must not pass silently).
/// </summary>
internal static class SweepExpectations
{
    public static IReadOnlyList<ExpectationResult> Evaluate(IReadOnlyList<Expectation> expectations, PhaseDiagramSpec? spec, IReadOnlyList<PhaseDiagramTable.Group> groups) =>
        expectations.SelectMany(e => Evaluate(e, spec, groups)).ToArray();

    private static IEnumerable<ExpectationResult> Evaluate(Expectation expectation, PhaseDiagramSpec? spec, IReadOnlyList<PhaseDiagramTable.Group> groups)
    {
        var wanted = $"expected {ExpectationEvaluator.Symbol(expectation.Operator)} {Format(expectation.Value)}";
        if (spec is null)
        {
            return [Failed(expectation, $"{expectation.Metric}: the sweep declares no summary phase_diagram ({wanted})")];
        }

        if (expectation.Metric != PhaseDiagramSpec.SlopeMetric)
        {
            return [Failed(expectation, $"{expectation.Metric}: no phase-diagram result has this name; there is {PhaseDiagramSpec.SlopeMetric} ({wanted})")];
        }

        var selected = groups.Where(group => Selects(expectation.When, spec, group)).ToArray();
        if (selected.Length == 0)
        {
            var points = string.Join(", ", groups.Select(g => $"({g.GammaText}, {g.GammaPrimeText})"));
            return [Failed(expectation, $"no phase-diagram point matches {Where(expectation.When)} (the points (γ, γ′) are {(points.Length == 0 ? "none" : points)}; {wanted})")];
        }

        return selected.Select(group => Check(expectation, group, wanted));
    }

    private static ExpectationResult Check(Expectation expectation, PhaseDiagramTable.Group group, string wanted)
    {
        var subject = $"S_w at γ = {group.GammaText}, γ′ = {group.GammaPrimeText}";
        var slope = group.Fit.Slope;
        if (!double.IsFinite(slope))
        {
            return Failed(expectation,
                $"{subject} has no value: {group.WidthsUsed} usable width(s), {group.CellsNotCompleted} cell(s) not completed; a slope needs two widths ({wanted})");
        }

        var passed = ExpectationEvaluator.Compare(slope, expectation.Operator, expectation.Value);
        var verdict = $"{Format(slope)} {ExpectationEvaluator.Symbol(expectation.Operator)} {Format(expectation.Value)}";
        return new ExpectationResult(expectation, slope, passed,
            $"{subject} = {verdict}{(passed ? string.Empty : " fails")} ({group.Fit.Count} cells over {group.WidthsUsed} widths; {wanted})");
    }

    /// <summary>
    /// Whether every condition holds for the group: on γ or γ′ the group's own value must be listed; on any other
    /// parameter, every cell of the group must have a listed value (a group mixing values is not "where p in [v]"). A choice
    /// parameter is recorded in run.json by its word, so a condition with words matches words.
    /// </summary>
    private static bool Selects(IReadOnlyList<ExpectationCondition>? when, PhaseDiagramSpec spec, PhaseDiagramTable.Group group) =>
        when is null || when.All(condition =>
            condition.Parameter == spec.Gamma ? condition.Values.Contains(group.Gamma)
            : condition.Parameter == spec.GammaPrime ? condition.Values.Contains(group.GammaPrime)
            : group.Cells.All(cell => condition.Words is { } words
                ? words.Contains(SweepSummary.ValueOf(cell, condition.Parameter), StringComparer.Ordinal)
                : condition.Values.Contains(PhaseDiagramTable.Parse(SweepSummary.ValueOf(cell, condition.Parameter)))));

    private static string Where(IReadOnlyList<ExpectationCondition>? when) =>
        when is null || when.Count == 0
            ? "(no where clause)"
            : "where " + string.Join(", ", when.Select(c => $"{c.Parameter} in [{string.Join(", ", c.Words ?? c.Values.Select(Format))}]"));

    private static ExpectationResult Failed(Expectation expectation, string message) => new(expectation, null, false, message);

    /// <summary>Numbers as people read them in a message: up to 6 significant digits, a true minus sign.</summary>
    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture).Replace('-', '−');
}
