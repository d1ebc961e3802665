using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// Assembles the whole page: header and status, run, expectations, metrics, figures, source. Pure: text in, text out; the
/// parts above and below the figures are separate so the page can be streamed around them (<see cref="HtmlReport.Write"/>).
/// </summary>
internal static class ReportPage
{
    public static string Render(ReportInputs inputs, string figuresHtml) =>
        RenderBeforeFigures(inputs) + figuresHtml + RenderAfterFigures(inputs);

    /// <summary>Everything above the figures section: head, header, run, expectations, model, reduction, embedding, metrics.</summary>
    public static string RenderBeforeFigures(ReportInputs inputs)
    {
        var html = new StringBuilder(64 * 1024);
        var title = inputs.Title;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")

            // The page must never reach the network or run script, even if a file it embeds tries to (an SVG, say).
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n")
            .Append("<title>").Append(Html.Escape(title)).Append(" — ").Append(Html.Escape(inputs.Name)).Append("</title>\n")
            .Append("<style>\n").Append(ReportStyle.Css).Append("\n</style>\n</head>\n<body>\n");
        RenderHeader(html, inputs);
        RunSection.Render(html, inputs);
        ExpectationsSection.Render(html, inputs);
        ModelSection.Render(html, inputs);
        ReductionSection.Render(html, inputs);
        EmbeddingSection.Render(html, inputs);
        MetricsSection.Render(html, inputs);
        return html.ToString();
    }

    /// <summary>Everything below the figures section: the source and the footer.</summary>
    public static string RenderAfterFigures(ReportInputs inputs)
    {
        var html = new StringBuilder(16 * 1024);
        SourceSection.Render(html, inputs);
        html.Append("<footer>Built from the run folder's files alone: experiment.cond, run.json, metrics.csv, ")
            .Append(ExpectationsFile.FileName).Append(", ").Append(ModelFile.FileName).Append(", ").Append(ReductionFile.FileName)
            .Append(", ").Append(EmbeddingFile.FileName).Append(" and figures/.</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void RenderHeader(StringBuilder html, ReportInputs inputs)
    {
        var status = inputs.Run.Status ?? "unknown";
        var css = status is "completed" or "running" or "failed" or "diverged" or "unconverged" or "interrupted" ? status : "unknown";
        html.Append("<header>\n<h1>").Append(Html.Escape(inputs.Title)).Append("</h1>\n<p class=\"subtitle\">experiment <code>")
            .Append(Html.Escape(inputs.Name)).Append("</code>");
        if (inputs.Run.RunId is { } runId)
        {
            html.Append(" · run <code>").Append(Html.Escape(runId)).Append("</code>");
        }

        html.Append(" · <span class=\"status status-").Append(css).Append("\">").Append(Html.Escape(status)).Append("</span></p>\n");

        // Anything but a completed run is what the reader must see first: the numbers below are partial.
        if (status != "completed")
        {
            var explanation = status == "running"
                ? "run.json still says running: the run is in progress, or its process died without recording an end."
                : inputs.Run.Message ?? inputs.Run.Problem ?? "No message was recorded.";
            html.Append("<div class=\"banner").Append(status == "running" ? " running" : string.Empty).Append("\" role=\"alert\"><strong>")
                .Append(Html.Escape(status)).Append("</strong>: ").Append(Html.Escape(explanation)).Append("</div>\n");
        }

        html.Append("<nav><a href=\"#run\">Run</a><a href=\"#expectations\">Expectations</a>")
            .Append(inputs.Model is null && inputs.ModelProblem is null ? string.Empty : "<a href=\"#model\">Model</a>")
            .Append(ReductionSection.IsShown(inputs) ? "<a href=\"#reduction\">Reduction</a>" : string.Empty)
            .Append(EmbeddingSection.IsShown(inputs) ? "<a href=\"#embedding\">Embedding</a>" : string.Empty)
            .Append("<a href=\"#metrics\">Metrics</a>")
            .Append("<a href=\"#figures\">Figures</a><a href=\"#source\">Source</a></nav>\n</header>\n");
    }
}
