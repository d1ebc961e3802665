using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>First and last loss and each layer's final per-layer measures, from metrics.csv.</summary>
internal static class MetricsSection
{
    public static void Render(StringBuilder html, ReportInputs inputs)
    {
        html.Append("<section id=\"metrics\">\n<h2>Metrics summary</h2>\n");
        if (inputs.Metrics is not { } metrics)
        {
            html.Append("<p class=\"note\">").Append(Html.Escape(inputs.MetricsProblem ?? "No metrics.")).Append("</p>\n</section>\n");
            return;
        }

        html.Append("<div class=\"columns\">\n<table class=\"loss\">\n<thead><tr><th></th><th>Step</th><th>Loss</th></tr></thead>\n<tbody>\n");
        AppendLoss(html, "First", metrics.FirstLoss);
        AppendLoss(html, "Last", metrics.LastLoss);
        html.Append("</tbody>\n</table>\n");

        if (metrics.Layers.Count > 0 && metrics.Measures.Count > 0)
        {
            html.Append("<table class=\"layers\">\n<thead><tr><th>Layer</th>");
            foreach (var measure in metrics.Measures)
            {
                html.Append("<th>").Append(Html.Escape(measure)).Append(" at end</th>");
            }

            html.Append("</tr></thead>\n<tbody>\n");
            foreach (var layer in metrics.Layers)
            {
                html.Append("<tr><td><code>").Append(Html.Escape(layer.Layer)).Append("</code></td>");
                foreach (var measure in metrics.Measures)
                {
                    html.Append("<td class=\"num\">").Append(layer.Final.TryGetValue(measure, out var v)
                        ? $"{Html.Escape(Format.Number(v.Value))} <span class=\"note\">(step {Format.Step(v.Step)})</span>"
                        : "—").Append("</td>");
                }

                html.Append("</tr>\n");
            }

            html.Append("</tbody>\n</table>\n");
        }

        html.Append("</div>\n<p class=\"note\">").Append(metrics.Rows).Append(" observation rows in metrics.csv.</p>\n</section>\n");
    }

    private static void AppendLoss(StringBuilder html, string label, SteppedValue? value)
    {
        html.Append("<tr><th>").Append(label).Append("</th>");
        if (value is { } v)
        {
            html.Append("<td class=\"num\">").Append(Format.Step(v.Step)).Append("</td><td class=\"num\">").Append(Html.Escape(Format.Number(v.Value))).Append("</td>");
        }
        else
        {
            html.Append("<td colspan=\"2\" class=\"note\">not measured</td>");
        }

        html.Append("</tr>\n");
    }
}
