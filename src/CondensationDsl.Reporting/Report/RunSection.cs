using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>Resolved parameters and seed beside the environment and timings, all from run.json.</summary>
internal static class RunSection
{
    public static void Render(StringBuilder html, ReportInputs inputs)
    {
        var run = inputs.Run;
        html.Append("<section id=\"run\">\n<h2>Run</h2>\n");
        if (run.Problem is { } problem)
        {
            html.Append("<p class=\"fail\">").Append(Html.Escape(problem)).Append("</p>\n");
        }

        html.Append("<div class=\"columns\">\n<div>\n<h3>Parameters</h3>\n<table class=\"parameters\">\n<thead><tr><th>Name</th><th>Value</th></tr></thead>\n<tbody>\n");
        // Newer run.json files list the seed among the parameters too; show it once.
        if (!run.Parameters.Any(p => p.Key == "seed"))
        {
            Row(html, "seed", run.Seed, code: true);
        }

        foreach (var (name, value) in run.Parameters)
        {
            Row(html, name, value, code: true);
        }

        html.Append("</tbody>\n</table>\n</div>\n<div>\n<h3>Environment and timing</h3>\n<table class=\"environment\">\n<tbody>\n");
        Row(html, "Experiment", run.Experiment);
        Row(html, "Run id", run.RunId);
        Row(html, "Status", run.Status);
        Row(html, "Device", run.Device);
        Row(html, "Tool version", run.ToolVersion);
        Row(html, ".NET", run.DotNetVersion);
        Row(html, "ILGPU", run.IlgpuVersion ?? (run.Problem is null ? "not used" : null));
        Row(html, "Git commit", run.GitCommit);
        Row(html, "Start (UTC)", run.StartUtc);
        Row(html, "End (UTC)", run.EndUtc);
        Row(html, "Wall time", run.WallSeconds is { } wall ? Format.Seconds(wall) : null);
        Row(html, "Start-up", run.StartupSeconds is { } startup ? Format.Seconds(startup) : null);
        Row(html, "Steps completed", run.StepsCompleted);
        Row(html, "Last observed step", run.LastObservedStep);
        Row(html, "Observations", run.Observations);
        html.Append("</tbody>\n</table>\n</div>\n</div>\n</section>\n");
    }

    // Names in <th> for the environment table, <code> in the parameter table; a null value shows as a dash.
    private static void Row(StringBuilder html, string name, string? value, bool code = false)
    {
        html.Append("<tr>").Append(code ? "<td><code>" : "<th>").Append(Html.Escape(name)).Append(code ? "</code></td>" : "</th>")
            .Append("<td class=\"mono\">").Append(value is null ? "—" : Html.Escape(value)).Append("</td></tr>\n");
    }
}
