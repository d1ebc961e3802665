using System.Text;
using System.Text.RegularExpressions;
using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// sweep.html: self-contained like report.html (figures embedded, no script, no network). The figures shown side by side
/// are, per kind and layer, the last snapshot (the end state the cells are compared on) and every curve.
/// </summary>
internal static partial class SweepPage
{
    /// <param name="sweepLevel">The phase diagram, sweep-level expectations and loss spectrum, shown first; null when the sweep declares none.</param>
    public static string Render(IReadOnlyList<SweepCell> cells, IReadOnlyList<string> swept, SweepLevelSummary? sweepLevel = null)
    {
        var experiment = cells.Select(cell => cell.Run.Experiment).FirstOrDefault(name => name is not null) ?? "experiment";
        var html = new StringBuilder(256 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n")
            .Append("<title>Sweep — ").Append(Html.Escape(experiment)).Append("</title>\n<style>\n").Append(ReportStyle.Css)
            .Append("\n.sweep-grid{display:grid;gap:0.5rem;align-items:start}\n.sweep-grid img{width:100%;height:auto}\n")
            .Append(".sweep-grid .label{font-weight:600;text-align:center}\n</style>\n</head>\n<body>\n")
            .Append("<header>\n<h1>Sweep of <code>").Append(Html.Escape(experiment)).Append("</code></h1>\n<p class=\"subtitle\">")
            .Append(cells.Count).Append(" cells").Append(swept.Count > 0 ? " over " + Html.Escape(string.Join(", ", swept)) : string.Empty)
            .Append(" · each cell's own report is report.html in its folder</p>\n</header>\n");
        if (sweepLevel is { HasPhaseDiagramSection: true })
        {
            PhaseDiagramSection.Render(html, sweepLevel);
        }

        if (sweepLevel is { LossSpectrum: { } lossSpectrum })
        {
            LossSpectrumSection.Render(html, lossSpectrum, sweepLevel.LossSpectrumGroups, sweepLevel.LossSpectrumPng);
        }

        RenderTable(html, cells, swept);
        if (SweepAggregates.Applies(swept))
        {
            RenderAggregates(html, SweepAggregates.Compute(cells), swept);
        }

        RenderFigures(html, cells, swept);
        html.Append("<footer>Built from the cell folders' run.json, metrics.csv, expectations.json and figures/ alone.</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void RenderTable(StringBuilder html, IReadOnlyList<SweepCell> cells, IReadOnlyList<string> swept)
    {
        var metrics = cells.SelectMany(cell => cell.FinalMetrics.Select(m => m.Key)).Distinct(StringComparer.Ordinal).ToArray();
        html.Append("<section id=\"cells\">\n<h2>Cells</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>cell</th>");
        HeaderCells(html, swept);
        html.Append("<th>status</th><th>expectations</th><th>seconds</th>");
        HeaderCells(html, metrics, " (last)");

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var cell in cells)
        {
            var status = cell.Run.Status ?? "unknown";
            html.Append("<tr><td><code>").Append(Html.Escape(cell.Name)).Append("</code></td>");
            foreach (var name in swept)
            {
                html.Append("<td>").Append(Html.Escape(SweepSummary.ValueOf(cell, name))).Append("</td>");
            }

            html.Append("<td class=\"status-").Append(Html.Escape(status)).Append("\">").Append(Html.Escape(status)).Append("</td><td>")
                .Append(cell.ExpectationsPassed).Append('/').Append(cell.Expectations.Count).Append("</td><td>")
                .Append(cell.Run.WallSeconds is { } wall ? SweepSummary.Number(wall) : string.Empty).Append("</td>");
            foreach (var metric in metrics)
            {
                var value = cell.FinalMetrics.FirstOrDefault(m => m.Key == metric, new(metric, double.NaN)).Value;
                html.Append("<td>").Append(SweepSummary.Number(value)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n");
        var failed = cells.SelectMany(cell => cell.Expectations.Where(result => !result.Passed).Select(result => (cell, result))).ToArray();
        if (failed.Length > 0)
        {
            html.Append("<h3>Expectations not met</h3>\n<ul>\n");
            foreach (var (cell, result) in failed)
            {
                html.Append("<li><code>").Append(Html.Escape(SweepSummary.LabelOf(cell, swept))).Append("</code>: ")
                    .Append(Html.Escape(result.Message)).Append("</li>\n");
            }

            html.Append("</ul>\n");
        }

        html.Append("</section>\n");
    }

    /// <summary>The table of sweep-summary.csv: one row per group of cells that differ only in their seed.</summary>
    private static void RenderAggregates(StringBuilder html, IReadOnlyList<SweepAggregates.Group> groups, IReadOnlyList<string> swept)
    {
        // The columns that tell groups apart: the swept parameters but the seed (the others are the same in every group).
        var shown = swept.Where(name => name != SweepAggregates.SeedParameter).ToArray();
        var metrics = groups.FirstOrDefault()?.Metrics.Select(m => m.Metric).ToArray() ?? [];
        html.Append("<section id=\"over-seeds\">\n<h2>Over seeds</h2>\n<p class=\"note\">Completed cells only (n); mean ± sample standard deviation of the last value of each metric. Also in ")
            .Append(SweepSummary.AggregatesFileName).Append(".</p>\n<div class=\"scroll\"><table>\n<thead><tr>");
        HeaderCells(html, shown);
        html.Append("<th>n</th><th>not completed</th>");
        HeaderCells(html, metrics, " (last)");

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var group in groups)
        {
            html.Append("<tr>");
            foreach (var name in shown)
            {
                html.Append("<td>").Append(Html.Escape(group.Key.FirstOrDefault(p => p.Key == name).Value ?? string.Empty)).Append("</td>");
            }

            html.Append("<td>").Append(group.N).Append("</td><td>").Append(group.NotCompleted).Append("</td>");
            foreach (var (_, mean, std) in group.Metrics)
            {
                html.Append("<td>").Append(SweepSummary.Number(mean))
                    .Append(double.IsNaN(std) ? string.Empty : " ± " + SweepSummary.Number(std)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n</section>\n");
    }

    /// <summary>One &lt;th&gt; per name, escaped, with <paramref name="suffix"/> after it.</summary>
    private static void HeaderCells(StringBuilder html, IEnumerable<string> names, string suffix = "")
    {
        foreach (var name in names)
        {
            html.Append("<th>").Append(Html.Escape(name)).Append(suffix).Append("</th>");
        }
    }

    /// <summary>One row per figure the cells share: the last snapshot of each per-snapshot figure, then the curves.</summary>
    private static void RenderFigures(StringBuilder html, IReadOnlyList<SweepCell> cells, IReadOnlyList<string> swept)
    {
        html.Append("<section id=\"figures\">\n<h2>Side by side</h2>\n");
        var rows = FigureRows(cells);
        if (rows.Count == 0)
        {
            html.Append("<p class=\"note\">No figures (the cells ran with --no-report, or recorded no snapshot).</p>\n</section>\n");
            return;
        }

        var columns = $"grid-template-columns:repeat({cells.Count},minmax(0,1fr))";
        html.Append("<div class=\"sweep-grid\" style=\"").Append(columns).Append("\">\n");
        foreach (var cell in cells)
        {
            html.Append("<div class=\"label\">").Append(Html.Escape(SweepSummary.LabelOf(cell, swept))).Append("</div>\n");
        }

        html.Append("</div>\n");
        foreach (var (heading, fileOf) in rows)
        {
            html.Append("<h3>").Append(Html.Escape(heading)).Append("</h3>\n<div class=\"sweep-grid\" style=\"").Append(columns).Append("\">\n");
            foreach (var cell in cells)
            {
                html.Append("<div>");
                if (fileOf(cell) is { } file)
                {
                    var bytes = File.ReadAllBytes(Path.Combine(cell.Directory, "figures", file));
                    html.Append("<img alt=\"").Append(Html.Escape(heading + ", " + SweepSummary.LabelOf(cell, swept)))
                        .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(bytes)).Append("\">");
                }
                else
                {
                    html.Append("<p class=\"note\">not drawn</p>");
                }

                html.Append("</div>\n");
            }

            html.Append("</div>\n");
        }

        html.Append("</section>\n");
    }

    /// <summary>
    /// Figure names without their step ("features-hidden-step0010000.png" → "features-hidden") in first-seen order; for a
    /// per-snapshot figure each cell shows its own last snapshot (cells stopped early still show how far they got).
    /// </summary>
    internal static IReadOnlyList<(string Heading, Func<SweepCell, string?> FileOf)> FigureRows(IReadOnlyList<SweepCell> cells)
    {
        var stems = cells.SelectMany(cell => cell.FigurePngs).Select(Stem).Distinct().ToArray();
        var rows = new List<(string, Func<SweepCell, string?>)>();
        foreach (var stem in stems.Where(stem => stem.Snapshot))
        {
            rows.Add(($"{stem.Name} at the last snapshot", cell => cell.FigurePngs
                .Where(file => Stem(file) == stem).OrderBy(file => file, StringComparer.Ordinal).LastOrDefault()));
        }

        foreach (var stem in stems.Where(stem => !stem.Snapshot))
        {
            rows.Add((stem.Name, cell => cell.FigurePngs.FirstOrDefault(file => Stem(file) == stem)));
        }

        return rows;
    }

    private static (string Name, bool Snapshot) Stem(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var match = StepSuffix().Match(name);
        return match.Success ? (name[..match.Index], true) : (name, false);
    }

    [GeneratedRegex("-step[0-9]+$")]
    private static partial Regex StepSuffix();
}
