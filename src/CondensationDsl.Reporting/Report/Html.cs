using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// HTML escaping for every piece of text the report takes from files (titles, parameter names, messages, source): a run
/// folder is user input, and a title holding "&lt;script&gt;" must show as text, never run. Quotes are escaped too, so the
/// same function is safe inside attribute values.
/// </summary>
internal static class Html
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            } ?? c.ToString());
        }

        return builder.ToString();
    }
}
