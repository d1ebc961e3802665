using System.Text;
using CondensationDsl.Reporting.Figures;
using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>The "Loss spectrum" section of sweep.html: the figure, how to read it, and one row per width.</summary>
internal static class LossSpectrumSection
{
    public static void Render(StringBuilder html, LossSpectrumSpec spec, IReadOnlyList<LossSpectrumTable.Group> groups, string? png)
    {
        var by = Html.Escape(spec.By);
        html.Append("<section id=\"loss-spectrum\">\n<h2>Loss spectrum</h2>\n<p class=\"note\">Per ").Append(by)
            .Append(" (one band each, smallest at the bottom), over its completed cells (the trials): the fraction of training epochs spent in each of ")
            .Append(spec.Bins).Append(" equal bins of log10(loss) on [").Append(SweepSummary.Number(spec.From)).Append(", ")
            .Append(SweepSummary.Number(spec.To)).Append("]; ").Append(Html.Escape(LossSpectrumTable.EpochWeightRule))
            .Append(". Brightness is log10 of the fraction, floored at 1e−4. A bright bar is a loss level where training lingers (a plateau near a critical point); ")
            .Append("bright bars at the same loss across widths are critical points the wider nets inherit from the narrower ones (the embedding principle, SCIENCE.md §3 row 7). ")
            .Append("Epochs with loss below 10^").Append(SweepSummary.Number(spec.From)).Append(", above 10^").Append(SweepSummary.Number(spec.To))
            .Append(" or not a number are counted apart (table), never in the end bins. Also in ").Append(SweepSummary.LossSpectrumCsvFileName).Append(".</p>\n");
        if (png is not null)
        {
            html.Append("<figure><img alt=\"loss spectrum: fraction of epochs per log10(loss) bin, one band per ").Append(by)
                .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(File.ReadAllBytes(png))).Append("\"></figure>\n");
        }

        html.Append("<div class=\"scroll\"><table>\n<thead><tr><th>").Append(by).Append("</th><th>trials</th><th>cells not completed</th><th>epochs</th>")
            .Append("<th>below ").Append(SweepSummary.Number(spec.From)).Append("</th><th>above ").Append(SweepSummary.Number(spec.To))
            .Append("</th><th>not a number</th></tr></thead>\n<tbody>\n");
        foreach (var g in groups)
        {
            var s = g.Spectrum;
            html.Append("<tr><td>").Append(Html.Escape(g.ByText)).Append("</td><td class=\"num\">").Append(g.Trials)
                .Append(g.CellsNotCompleted > 0 ? "</td><td class=\"num fail\">" : "</td><td class=\"num\">").Append(g.CellsNotCompleted)
                .Append("</td><td class=\"num\">").Append(g.Epochs)
                .Append("</td><td class=\"num\">").Append(Percent(s.BelowFraction, g.Epochs))
                .Append("</td><td class=\"num\">").Append(Percent(s.AboveFraction, g.Epochs))
                .Append(s.Invalid > 0 ? "</td><td class=\"num fail\">" : "</td><td class=\"num\">").Append(Percent(s.InvalidFraction, g.Epochs))
                .Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n<p class=\"note\">below/above/not a number: percent of the width's epochs outside the figure's range.</p>\n</section>\n");
    }

    private static string Percent(double fraction, long epochs) =>
        epochs == 0 ? "—" : FigureStyle.Number(100 * fraction) + " %";
}
