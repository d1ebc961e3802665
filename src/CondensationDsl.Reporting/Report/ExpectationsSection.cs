using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>The `expect` results as a table, one row per clause, failed rows marked.</summary>
internal static class ExpectationsSection
{
    public static void Render(StringBuilder html, ReportInputs inputs)
    {
        html.Append("<section id=\"expectations\">\n<h2>Expectations</h2>\n");
        if (inputs.ExpectationsProblem is { } problem)
        {
            html.Append("<p class=\"fail\">").Append(Html.Escape(problem)).Append("</p>\n");
        }

        var results = inputs.Expectations;
        if (results.Count == 0)
        {
            html.Append("<p class=\"note\">No expectation results (the experiment has no <code>expect</code> clauses, or ")
                .Append(ExpectationsFile.FileName).Append(" was not written).</p>\n</section>\n");
            return;
        }

        var passed = results.Count(r => r.Passed);
        html.Append("<p>").Append(passed).Append(" of ").Append(results.Count).Append(" passed")
            .Append(passed == results.Count ? "." : $"; <span class=\"fail\">{results.Count - passed} failed</span>.").Append("</p>\n");
        html.Append("<table class=\"expectations\">\n<thead><tr><th>Result</th><th>Clause</th><th>Metric</th><th>At</th><th>Expected</th><th>Actual</th><th>Message</th></tr></thead>\n<tbody>\n");
        foreach (var result in results)
        {
            var e = result.Expectation;
            html.Append(result.Passed ? "<tr class=\"passed\">" : "<tr class=\"failed\">")
                .Append(result.Passed ? "<td class=\"pass\">PASS</td>" : "<td class=\"fail\">FAIL</td>")
                .Append("<td><code>").Append(Html.Escape(e.SourceText)).Append("</code></td>")
                .Append("<td><code>").Append(Html.Escape(e.Metric)).Append("</code></td>")
                .Append("<td class=\"num\">").Append(e.AtStep is { } step ? Format.Step(step) : "end").Append("</td>")
                .Append("<td class=\"num\">").Append(Html.Escape(ExpectationEvaluator.Symbol(e.Operator))).Append(' ').Append(Html.Escape(Format.Number(e.Value))).Append("</td>")
                .Append("<td class=\"num\">").Append(result.Actual is { } actual ? Html.Escape(Format.Number(actual)) : "—").Append("</td>")
                .Append("<td>").Append(Html.Escape(result.Message)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }
}
