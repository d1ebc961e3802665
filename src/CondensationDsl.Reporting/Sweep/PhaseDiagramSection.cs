using System.Text;
using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// What sweep.html shows of the sweep-level summary: the phase diagram's points (<see cref="Groups"/>, empty without a
/// `summary phase_diagram`), its figure (<see cref="FigurePng"/>, null when not drawn), the sweep-level expectation
/// results, and the loss spectrum's widths (<see cref="LossSpectrumGroups"/>, empty without a `summary loss_spectrum`)
/// and figure.
/// </summary>
internal sealed record SweepLevelSummary(
    PhaseDiagramSpec? Spec,
    IReadOnlyList<PhaseDiagramTable.Group> Groups,
    string? FigurePng,
    IReadOnlyList<ExpectationResult> Expectations,
    LossSpectrumSpec? LossSpectrum,
    IReadOnlyList<LossSpectrumTable.Group> LossSpectrumGroups,
    string? LossSpectrumPng)
{
    /// <summary>Whether the "Phase diagram" section has anything to show (a phase diagram or sweep-level expectations).</summary>
    public bool HasPhaseDiagramSection => Spec is not null || Expectations.Count > 0;
}

/// <summary>The "Phase diagram" section of sweep.html: figure, one row per (γ, γ′) point, then the sweep-level `expect` results.</summary>
internal static class PhaseDiagramSection
{
    public static void Render(StringBuilder html, SweepLevelSummary summary)
    {
        html.Append("<section id=\"phase-diagram\">\n<h2>Phase diagram</h2>\n");
        if (summary.Spec is { } spec)
        {
            html.Append("<p class=\"note\">S_w: least-squares slope of log RelDis(").Append(Html.Escape(spec.Layer))
                .Append(") at the end of training against log ").Append(Html.Escape(spec.Width))
                .Append(", over the completed cells of each (").Append(Html.Escape(spec.Gamma)).Append(", ").Append(Html.Escape(spec.GammaPrime))
                .Append(") point (SCIENCE.md §2). Measured regime: |S_w| ≤ ").Append(SweepSummary.Number(Analysis.PhaseDiagram.DefaultCriticalBand))
                .Append(" critical, below linear, above condensed. Also in ").Append(SweepSummary.PhaseDiagramCsvFileName).Append(".</p>\n");
            if (summary.FigurePng is { } png)
            {
                html.Append("<figure><img alt=\"phase diagram: S_w over γ′ and γ with the theoretical boundary\" src=\"data:image/png;base64,")
                    .Append(Convert.ToBase64String(File.ReadAllBytes(png))).Append("\"></figure>\n");
            }

            RenderGroups(html, summary.Groups);
        }

        RenderExpectations(html, summary.Expectations);
        html.Append("</section>\n");
    }

    private static void RenderGroups(StringBuilder html, IReadOnlyList<PhaseDiagramTable.Group> groups)
    {
        html.Append("<div class=\"scroll\"><table>\n<thead><tr><th>γ</th><th>γ′</th><th>S_w</th><th>std. error</th><th>widths used</th>")
            .Append("<th>cells used</th><th>cells not completed</th><th>measured regime</th><th>theoretical regime</th></tr></thead>\n<tbody>\n");
        foreach (var g in groups)
        {
            html.Append("<tr><td>").Append(Html.Escape(g.GammaText)).Append("</td><td>").Append(Html.Escape(g.GammaPrimeText))
                .Append("</td><td class=\"num\">").Append(double.IsFinite(g.Fit.Slope) ? SweepSummary.Number(g.Fit.Slope) : "—")
                .Append("</td><td class=\"num\">").Append(SweepSummary.Number(g.Fit.StandardError))
                .Append("</td><td class=\"num\">").Append(g.WidthsUsed).Append("</td><td class=\"num\">").Append(g.Fit.Count)
                .Append(g.CellsNotCompleted > 0 ? "</td><td class=\"num fail\">" : "</td><td class=\"num\">").Append(g.CellsNotCompleted)
                .Append("</td><td>").Append(PhaseDiagramTable.Word(g.Measured)).Append("</td><td>").Append(PhaseDiagramTable.Word(g.Theoretical))
                .Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n");
    }

    private static void RenderExpectations(StringBuilder html, IReadOnlyList<ExpectationResult> results)
    {
        if (results.Count == 0)
        {
            return;
        }

        var passed = results.Count(r => r.Passed);
        html.Append("<h3>Sweep-level expectations</h3>\n<p>").Append(passed).Append(" of ").Append(results.Count).Append(" passed")
            .Append(passed == results.Count ? "." : $"; <span class=\"fail\">{results.Count - passed} failed</span>.").Append("</p>\n")
            .Append("<table class=\"expectations\">\n<thead><tr><th>Result</th><th>Clause</th><th>Message</th></tr></thead>\n<tbody>\n");
        foreach (var result in results)
        {
            html.Append(result.Passed ? "<tr class=\"passed\"><td class=\"pass\">PASS</td>" : "<tr class=\"failed\"><td class=\"fail\">FAIL</td>")
                .Append("<td><code>").Append(Html.Escape(result.Expectation.SourceText)).Append("</code></td><td>")
                .Append(Html.Escape(result.Message)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }
}
