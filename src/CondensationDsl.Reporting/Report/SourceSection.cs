using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>experiment.cond with syntax colouring and line numbers (line numbers are CSS, so copying the code copies only code).</summary>
internal static class SourceSection
{
    public static void Render(StringBuilder html, ReportInputs inputs)
    {
        html.Append("<section id=\"source\">\n<h2>Experiment source</h2>\n");
        if (inputs.Source is not { } source)
        {
            html.Append("<p class=\"note\">").Append(RunFolder.SourceFileName).Append(" is missing.</p>\n</section>\n");
            return;
        }

        // Trailing newlines would otherwise show as an empty numbered last line.
        var text = source.TrimEnd('\r', '\n');
        html.Append("<p class=\"note\">").Append(RunFolder.SourceFileName).Append("</p>\n<pre class=\"source\"><code>")
            .Append(CondHighlighter.ToHtml(text)).Append("</code></pre>\n</section>\n");
    }
}
