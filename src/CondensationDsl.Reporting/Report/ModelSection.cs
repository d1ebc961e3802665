using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// The model's layers from model.json with each activation's multiplicity p and the prediction of SCIENCE.md §2 (at most
/// 2p condensed directions early in training), set beside the cluster count measured at the first observation after
/// step 0. No section at all for run folders without model.json (written before the file existed).
/// </summary>
internal static class ModelSection
{
    public static void Render(StringBuilder html, ReportInputs inputs)
    {
        if (inputs.Model is null && inputs.ModelProblem is null)
        {
            return;
        }

        html.Append("<section id=\"model\">\n<h2>Model</h2>\n");
        if (inputs.Model is not { } model)
        {
            html.Append("<p class=\"note\">").Append(Html.Escape(inputs.ModelProblem)).Append("</p>\n</section>\n");
            return;
        }

        html.Append("<p>Model <code>").Append(Html.Escape(model.Name)).Append("</code>, ").Append(model.InputSize)
            .Append(model.InputSize == 1 ? " input" : " inputs")
            .Append(". The multiplicity p of an activation σ is the smallest k ≥ 1 with σ<sup>(k)</sup>(0) ≠ 0; ")
            .Append("a layer has at most 2p condensed directions early in training.</p>\n")
            .Append("<table class=\"model\">\n<thead><tr><th>Layer</th><th>Kind</th><th>Width</th><th>Activation</th><th>Bias</th>")
            .Append("<th>p</th><th>Prediction</th><th>Measured clusters</th><th>Verdict</th></tr></thead>\n<tbody>\n");
        foreach (var layer in model.Layers)
        {
            html.Append("<tr><td><code>").Append(Html.Escape(layer.Name)).Append("</code></td><td>").Append(Html.Escape(layer.Kind))
                .Append("</td><td class=\"num\">").Append(layer.Width).Append("</td><td><code>").Append(Html.Escape(layer.Activation))
                .Append("</code></td><td>").Append(layer.Bias ? "yes" : "no").Append("</td><td class=\"num\">")
                .Append(layer.Multiplicity?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "undefined").Append("</td><td>")
                .Append(layer.DirectionBound is { } bound
                    ? $"at most 2p = {bound} condensed directions early in training"
                    : "none: p is undefined (σ is not smooth at 0)")
                .Append("</td>");
            if (inputs.EarlyClusters.TryGetValue(layer.Name, out var early))
            {
                var measured = early.Clusters;
                html.Append("<td class=\"num\">").Append(Html.Escape(Format.Number(measured.Value)));
                if (early.Lines is { } lines)
                {
                    html.Append(" · ").Append(Html.Escape(Format.Number(lines))).Append(lines == 1 ? " line" : " lines");
                }

                html.Append(" <span class=\"note\">(step ").Append(Format.Step(measured.Step)).Append(")</span></td><td>")
                    .Append(early.Lines is { } measuredLines ? LinesVerdict(measuredLines, layer.Multiplicity) : Verdict(measured.Value, layer.DirectionBound))
                    .Append("</td>");
            }
            else
            {
                html.Append("<td class=\"note\">not measured</td><td></td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n<p class=\"note\">Measured: <code>clusters.&lt;layer&gt;</code> and, when observed, ")
            .Append("<code>lines.&lt;layer&gt;</code> (clusters of at least line_size neurons) in metrics.csv at the first observation after ")
            .Append("step 0. With lines the verdict compares them with p: clustered with <code>signed: false</code>, as figure 6 is, ")
            .Append("a line is a pair of opposite directions, so p lines are the 2p directions. Read from ")
            .Append(ModelFile.FileName).Append(".</p>\n</section>\n");
    }

    private static string LinesVerdict(double lines, int? p) => p switch
    {
        null => "no bound to compare",
        { } bound when lines <= bound => "consistent",
        _ => "more lines than p",
    };

    private static string Verdict(double measured, int? bound) => bound switch
    {
        null => "no bound to compare",
        { } b when measured <= b => "consistent",
        _ => "exceeds the 2p bound",
    };
}
