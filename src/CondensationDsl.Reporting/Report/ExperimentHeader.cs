namespace CondensationDsl.Reporting.Report;

/// <summary>The `experiment name "title"` line of a .cond source; the title defaults to the name, as in the language.</summary>
public sealed record ExperimentHeader(string Name, string Title)
{
    /// <summary>The header found by the highlighter's lexer, or null when the source has no `experiment` statement.</summary>
    public static ExperimentHeader? Find(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tokens = CondHighlighter.Tokenize(source)
            .Where(t => t.Kind is not (CondTokenKind.Whitespace or CondTokenKind.Comment))
            .ToArray();
        for (var i = 0; i + 1 < tokens.Length; i++)
        {
            if (tokens[i] is { Kind: CondTokenKind.Keyword, Text: "experiment" } && tokens[i + 1].Kind == CondTokenKind.Declaration)
            {
                var name = tokens[i + 1].Text;
                var title = i + 2 < tokens.Length && tokens[i + 2].Kind == CondTokenKind.String ? Unquote(tokens[i + 2].Text) : name;
                return new ExperimentHeader(name, title);
            }
        }

        return null;
    }

    // cond.ebnf's string: '"' ... '"' with \" and \\ as the only escapes; an unterminated literal runs to its end.
    private static string Unquote(string literal)
    {
        var text = new System.Text.StringBuilder();
        for (var i = 1; i < literal.Length && literal[i] != '"'; i++)
        {
            if (literal[i] == '\\' && i + 1 < literal.Length && literal[i + 1] is '"' or '\\')
            {
                i++;
            }

            text.Append(literal[i]);
        }

        return text.ToString();
    }
}
