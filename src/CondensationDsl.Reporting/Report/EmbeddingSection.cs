using System.Globalization;
using System.Text;
using CondensationDsl.Runtime.Embedding;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// The embedding check after training (`embed`, SCIENCE.md §3 row 6.2), from embedding.json alone: which neuron was split,
/// the loss, the largest change of the output over the data and ‖∇L‖ before and after, the Hessian's eigenvalue sign counts,
/// and a one-line verdict (<see cref="EmbeddingVerdict"/>). No section for runs that did not embed.
/// </summary>
internal static class EmbeddingSection
{
    public static bool IsShown(ReportInputs inputs) => inputs.Embedding is not null || inputs.EmbeddingProblem is not null;

    public static void Render(StringBuilder html, ReportInputs inputs)
    {
        if (!IsShown(inputs))
        {
            return;
        }

        html.Append("<section id=\"embedding\">\n<h2>Embedding</h2>\n");
        if (inputs.Embedding is not { } e)
        {
            html.Append("<p class=\"note\">").Append(Html.Escape(inputs.EmbeddingProblem)).Append("</p>\n</section>\n");
            return;
        }

        var verdict = EmbeddingVerdict.Of(e);
        html.Append("<p>Layer <code>").Append(Html.Escape(e.Layer)).Append("</code>: neuron ").Append(Int(e.Neuron + 1)).Append(" of ")
            .Append(Int(e.WidthBefore)).Append(" split into two with the same input weights and output weights a·s and a·(1 − s), s = ")
            .Append(Html.Escape(Format.Number(e.Split))).Append("; width ").Append(Int(e.WidthBefore)).Append(" → ").Append(Int(e.WidthAfter))
            .Append(".</p>\n")
            .Append("<p class=\"verdict\"><strong class=\"").Append(verdict.Holds ? "pass" : "fail").Append("\">")
            .Append(verdict.Holds ? "holds" : "fails").Append("</strong>: ").Append(Html.Escape(verdict.Text)).Append("</p>\n")
            .Append("<table class=\"embedding\">\n<thead><tr><th>Network</th><th>Width</th><th>Loss</th><th>‖∇L‖</th></tr></thead>\n<tbody>\n");
        Row(html, "narrow (trained)", e.WidthBefore, e.LossBefore, e.GradientNormBefore);
        Row(html, "wide (embedded)", e.WidthAfter, e.LossAfter, e.GradientNormAfter);
        html.Append("</tbody>\n</table>\n<p>max |f<sub>wide</sub>(x) − f<sub>narrow</sub>(x)| over the training data = <strong>")
            .Append(Html.Escape(Format.Number(e.FunctionGap))).Append("</strong>.</p>\n");

        if (e.HessianBefore is { } before && e.HessianAfter is { } after)
        {
            html.Append("<table class=\"hessian\">\n<thead><tr><th>Hessian eigenvalues</th><th>positive</th><th>zero</th><th>negative</th></tr></thead>\n<tbody>\n");
            CountsRow(html, "before", before, null);
            CountsRow(html, "after", after, before);
            html.Append("</tbody>\n</table>\n<p class=\"note\">Zero: |λ| ≤ ").Append(Html.Escape(Format.Number(e.ZeroTolerance)))
                .Append(" × max |λ|.</p>\n");
        }
        else
        {
            html.Append("<p class=\"note\">Hessian eigenvalues not computed")
                .Append(e.HessianSkipped is { } reason ? ": " + Html.Escape(reason) : string.Empty).Append(".</p>\n");
        }

        html.Append("<p class=\"note\">Same function: gap ≤ ").Append(Html.Escape(Format.Number(EmbeddingVerdict.FunctionGapTolerance)))
            .Append(". Critical point kept: ‖∇L‖ after ≤ √max(2, s² + (1 − s)²) × before (the most splitting can add, so a zero gradient stays zero), up to ")
            .Append(Html.Escape(Format.Number(EmbeddingVerdict.GradientSlack))).Append(". Everything in float64 on the training data with the mse loss. Read from ")
            .Append(EmbeddingFile.FileName).Append(".</p>\n</section>\n");
    }

    private static void Row(StringBuilder html, string network, int width, double loss, double gradient)
    {
        html.Append("<tr><td>").Append(Html.Escape(network)).Append("</td><td class=\"num\">").Append(Int(width))
            .Append("</td><td class=\"num\">").Append(Html.Escape(Format.Number(loss))).Append("</td><td class=\"num\">")
            .Append(Html.Escape(Format.Number(gradient))).Append("</td></tr>\n");
    }

    private static void CountsRow(StringBuilder html, string label, HessianCounts counts, HessianCounts? before)
    {
        var decreased = before is not null && EmbeddingVerdict.Decreased(before, counts).Count > 0;
        html.Append(decreased ? "<tr class=\"failed\">" : "<tr>").Append("<td>").Append(label).Append("</td>");
        Cell(counts.Positive, before?.Positive);
        Cell(counts.Zero, before?.Zero);
        Cell(counts.Negative, before?.Negative);
        html.Append("</tr>\n");

        void Cell(int value, int? earlier) =>
            html.Append(earlier is { } b && value < b ? "<td class=\"num fail\">" : "<td class=\"num\">").Append(Int(value)).Append("</td>");
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Whether an embedding result shows the embedding principle: the same function (gap ≤ <see cref="FunctionGapTolerance"/>),
/// the critical point kept (‖∇L‖ after at most √max(2, s² + (1 − s)²) times before: splitting copies the gradient of the
/// output weight and scales the input weights' by s and 1 − s, so this is the most it can grow and a zero gradient stays
/// zero), and no Hessian eigenvalue count smaller after than before. A skipped Hessian decides nothing.
/// </summary>
internal sealed record EmbeddingVerdict(bool Holds, string Text)
{
    /// <summary>Largest |f_wide − f_narrow| still "the same function": float64 rounding, with room for large outputs.</summary>
    public const double FunctionGapTolerance = 1e-9;

    /// <summary>Absolute slack on the gradient bound, for rounding when both norms are about zero.</summary>
    public const double GradientSlack = 1e-12;

    public static EmbeddingVerdict Of(EmbeddingResult e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var parts = new List<string>();
        var holds = true;

        var gap = Format.Number(e.FunctionGap);
        if (e.FunctionGap <= FunctionGapTolerance)
        {
            parts.Add($"same function (gap {gap})");
        }
        else
        {
            holds = false;
            parts.Add($"not the same function (gap {gap} > {Format.Number(FunctionGapTolerance)})");
        }

        var gradients = $"‖∇L‖ {Format.Number(e.GradientNormBefore)} → {Format.Number(e.GradientNormAfter)}";
        if (e.GradientNormAfter <= GradientBound(e))
        {
            parts.Add($"critical point kept ({gradients})");
        }
        else
        {
            holds = false;
            parts.Add($"critical point not kept ({gradients})");
        }

        if (e.HessianBefore is { } before && e.HessianAfter is { } after)
        {
            var decreased = Decreased(before, after);
            if (decreased.Count == 0)
            {
                parts.Add("no count decreased");
            }
            else
            {
                holds = false;
                parts.Add((decreased.Count == 1 ? "a count decreased (" : "counts decreased (") + string.Join(", ", decreased) + ")");
            }
        }
        else
        {
            parts.Add("Hessian counts not computed");
        }

        return new EmbeddingVerdict(holds, string.Join(", ", parts));
    }

    /// <summary>√max(2, s² + (1 − s)²) · ‖∇L‖ before, widened by rounding slack.</summary>
    public static double GradientBound(EmbeddingResult e)
    {
        var s = e.Split;
        var factor = Math.Sqrt(Math.Max(2, (s * s) + ((1 - s) * (1 - s))));
        return (factor * e.GradientNormBefore * (1 + 1e-9)) + GradientSlack;
    }

    /// <summary>The counts smaller after than before, as "positive 5 → 4".</summary>
    public static IReadOnlyList<string> Decreased(HessianCounts before, HessianCounts after)
    {
        var list = new List<string>();
        Check("positive", before.Positive, after.Positive);
        Check("zero", before.Zero, after.Zero);
        Check("negative", before.Negative, after.Negative);
        return list;

        void Check(string name, int b, int a)
        {
            if (a < b)
            {
                list.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {b} → {a}"));
            }
        }
    }
}
