using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// Width reduction after training (SCIENCE.md §3 row 7.3), from reduction.json alone: the layer's width before and after,
/// the loss of the trained, reduced and fine-tuned networks and how often their predictions agree with the trained one's.
/// No section for runs that did not reduce.
/// </summary>
internal static class ReductionSection
{
    public static bool IsShown(ReportInputs inputs) => inputs.Reduction is not null || inputs.ReductionProblem is not null;

    public static void Render(StringBuilder html, ReportInputs inputs)
    {
        if (!IsShown(inputs))
        {
            return;
        }

        html.Append("<section id=\"reduction\">\n<h2>Width reduction</h2>\n");
        if (inputs.Reduction is not { } r)
        {
            html.Append("<p class=\"note\">").Append(Html.Escape(inputs.ReductionProblem)).Append("</p>\n</section>\n");
            return;
        }

        html.Append("<p>Layer <code>").Append(Html.Escape(r.Layer)).Append("</code> reduced from <strong>").Append(r.WidthBefore)
            .Append("</strong> to <strong>").Append(r.WidthAfter).Append("</strong> neurons. Neurons whose input weights (bias appended) ")
            .Append("have cosine ≥ τ = ").Append(Html.Escape(Format.Number(r.Threshold)))
            .Append(" with their group's leader were merged into it, the leader taking the outgoing weights a<sub>j</sub> ← ")
            .Append("Σ<sub>k</sub> a<sub>k</sub>‖u<sub>k</sub>‖/‖u<sub>j</sub>‖ (in layer <code>").Append(Html.Escape(r.NextLayer))
            .Append("</code>); ").Append(r.StaticDropped).Append(" static and ").Append(r.NegligibleDropped)
            .Append(" negligible neurons (amplitude below ε = ").Append(Html.Escape(Format.Number(r.NegligibleFraction)))
            .Append(" × the largest) were dropped.</p>\n")
            .Append("<table class=\"reduction\">\n<thead><tr><th>Network</th><th>Width</th><th>Loss</th><th>Agreement with the trained network</th></tr></thead>\n<tbody>\n");
        Row(html, "trained", r.WidthBefore, r.LossBefore, null);
        Row(html, "reduced", r.WidthAfter, r.LossReduced, r.AgreementReduced);
        if (r.LossFinetuned is { } loss)
        {
            var steps = r.FineTuneSteps is { } n ? $"fine-tuned ({n.ToString(System.Globalization.CultureInfo.InvariantCulture)} steps)" : "fine-tuned";
            Row(html, steps, r.WidthAfter, loss, r.AgreementFinetuned);
        }
        else
        {
            html.Append("<tr><td>fine-tuned</td><td class=\"note\" colspan=\"3\">not fine-tuned</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n<p class=\"note\">Agreement: the fraction of the ").Append(r.Points)
            .Append(" training points where the prediction differs from the trained network's by at most ")
            .Append(Html.Escape(Format.Number(r.AgreementTolerance))).Append(" × max |f(x)| = ")
            .Append(Html.Escape(Format.Number(r.AgreementTolerance * r.OutputScale))).Append(". Read from ")
            .Append(ReductionFile.FileName).Append(".</p>\n</section>\n");
    }

    private static void Row(StringBuilder html, string network, int width, double loss, double? agreement)
    {
        html.Append("<tr><td>").Append(Html.Escape(network)).Append("</td><td class=\"num\">").Append(width)
            .Append("</td><td class=\"num\">").Append(Html.Escape(Format.Number(loss))).Append("</td><td class=\"num\">")
            .Append(agreement is { } a ? Html.Escape(Format.Number(100 * a)) + " %" : "—").Append("</td></tr>\n");
    }
}
