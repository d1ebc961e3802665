using System.Text;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// Syntax colouring of .cond source for the report. A lexer over grammar/cond.ebnf's lexical rules plus a little context
/// (the word after `experiment`, `let`, `data`, `model` or a layer kind is a declared name), not the real parser: the
/// report must show any source, even one that no longer parses, and every character comes out escaped.
/// </summary>
public static class CondHighlighter
{
    /// <summary>Every word quoted in the grammar's statement rules (a test keeps this in step with cond.ebnf).</summary>
    public static readonly IReadOnlySet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "experiment", "let", "data", "target", "model", "input", "init", "train", "loss", "optimizer", "epochs", "steps",
        "until", "observe", "every", "at", "sweep", "in", "expect", "end", "where", "reduce", "outputs", "on", "weights",
        "divergence", "halve", "lr", "retry", "scale", "summary", "embed", "flatten", "resnet18", "first", "last", "conv", "when",
    };

    /// <summary>Built-in names from the grammar's comments and the README: layer kinds, functions, activations, calls, measures, constants.</summary>
    public static readonly IReadOnlySet<string> Builtins = new HashSet<string>(StringComparer.Ordinal)
    {
        "dense", "dropout", "maxpool", "avgpool", "batchnorm", "global",
        "relu", "tanh", "sin", "cos", "exp", "log", "abs", "sqrt", "sigmoid", "softplus", "linear", "xtanh", "x2tanh",
        "grid", "uniform", "idx", "fashion_mnist", "mnist", "normal", "mse", "cross_entropy", "gd", "sgd", "adam", "adamw", "step",
        "accuracy", "aligned", "aligned_outputs",
        "features", "cosine", "clusters", "reldis", "effective_width", "condensed_width", "negligible", "static", "lines", "largest_cluster",
        "reduced_width", "reduced_loss", "reduced_agreement", "finetuned_loss", "finetuned_agreement", "slope", "phase_diagram", "loss_spectrum",
        "embedded_gap", "embedded_loss", "trained_gradient", "embedded_gradient", "hessian_positive", "hessian_zero", "hessian_negative",
        "embedded_hessian_positive", "embedded_hessian_zero", "embedded_hessian_negative",
        "pi", "true", "false", "fan_in",
    };

    // Words after which the next identifier is declared (a layer kind declares the layer: `dense hidden(...)`).
    private static readonly HashSet<string> Declarers = new(StringComparer.Ordinal) { "experiment", "let", "data", "model", "dense", "conv", "maxpool", "avgpool", "batchnorm", "dropout" };

    private static readonly string[] Operators = ["..", "<=", ">=", "==", "!=", "<", ">", "=", "+", "-", "*", "/", "^", ":"];

    /// <summary>The HTML of the source: one &lt;span class="line"&gt; per line, tokens in &lt;span class="tok-…"&gt;, all text escaped.</summary>
    public static string ToHtml(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var html = new StringBuilder(source.Length * 2);
        html.Append("<span class=\"line\">");
        foreach (var token in Tokenize(source))
        {
            if (token.Kind == CondTokenKind.Newline)
            {
                html.Append("</span>\n<span class=\"line\">");
                continue;
            }

            var css = CssClass(token.Kind);
            if (css is null)
            {
                html.Append(Html.Escape(token.Text));
            }
            else
            {
                html.Append("<span class=\"").Append(css).Append("\">").Append(Html.Escape(token.Text)).Append("</span>");
            }
        }

        html.Append("</span>");
        return html.ToString();
    }

    /// <summary>The CSS class for a kind, or null for text shown plain.</summary>
    public static string? CssClass(CondTokenKind kind) => kind switch
    {
        CondTokenKind.Keyword => "tok-k",
        CondTokenKind.Builtin => "tok-b",
        CondTokenKind.Declaration => "tok-d",
        CondTokenKind.Number => "tok-n",
        CondTokenKind.String => "tok-s",
        CondTokenKind.Comment => "tok-c",
        CondTokenKind.Operator => "tok-o",
        _ => null,
    };

    /// <summary>Splits the source into tokens whose texts concatenate back to exactly the source.</summary>
    public static IReadOnlyList<CondToken> Tokenize(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tokens = new List<CondToken>();
        var declareNext = false;
        var i = 0;
        while (i < source.Length)
        {
            var start = i;
            var c = source[i];
            CondTokenKind kind;
            if (c == '\n' || (c == '\r' && At(source, i + 1) == '\n'))
            {
                i += c == '\r' ? 2 : 1;
                kind = CondTokenKind.Newline;
            }
            else if (c is ' ' or '\t' or '\r')
            {
                while (i < source.Length && source[i] is ' ' or '\t' || (At(source, i) == '\r' && At(source, i + 1) != '\n'))
                {
                    i++;
                }

                kind = CondTokenKind.Whitespace;
            }
            else if (c == '#')
            {
                i = LineEnd(source, i);
                kind = CondTokenKind.Comment;
            }
            else if (c == '"')
            {
                i = StringEnd(source, i);
                kind = CondTokenKind.String;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(At(source, i + 1))))
            {
                i = NumberEnd(source, i);
                kind = CondTokenKind.Number;
            }
            else if (char.IsAsciiLetter(c))
            {
                while (i < source.Length && (char.IsAsciiLetterOrDigit(source[i]) || source[i] == '_'))
                {
                    i++;
                }

                var word = source[start..i];
                kind = declareNext ? CondTokenKind.Declaration
                    : Keywords.Contains(word) ? CondTokenKind.Keyword
                    : Builtins.Contains(word) || NextNonBlank(source, i) == '(' ? CondTokenKind.Builtin
                    : CondTokenKind.Identifier;
                declareNext = kind != CondTokenKind.Declaration && Declarers.Contains(word);
                tokens.Add(new CondToken(kind, word));
                continue;
            }
            else if (Operators.FirstOrDefault(op => string.CompareOrdinal(source, i, op, 0, op.Length) == 0) is { } op)
            {
                i += op.Length;
                kind = CondTokenKind.Operator;
            }
            else
            {
                i++;
                kind = c is '(' or ')' or '[' or ']' or '{' or '}' or ',' or ';' ? CondTokenKind.Punctuation : CondTokenKind.Other;
            }

            // Anything but blanks between a declaring word and its name (a comment, a newline, "=") cancels the declaration.
            if (kind != CondTokenKind.Whitespace)
            {
                declareNext = false;
            }

            tokens.Add(new CondToken(kind, source[start..i]));
        }

        return tokens;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static int LineEnd(string s, int i)
    {
        while (i < s.Length && s[i] != '\n' && !(s[i] == '\r' && At(s, i + 1) == '\n'))
        {
            i++;
        }

        return i;
    }

    // A string ends at its closing quote; an unterminated one at the end of the line (the checker reports it, we just show it).
    private static int StringEnd(string s, int i)
    {
        i++;
        while (i < s.Length && s[i] != '\n' && !(s[i] == '\r' && At(s, i + 1) == '\n'))
        {
            if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] is '"' or '\\')
            {
                i += 2;
            }
            else if (s[i++] == '"')
            {
                return i;
            }
        }

        return i;
    }

    // cond.ebnf's number: digits [. digits] | . digits, then an optional exponent; "1..3" stops before "..".
    private static int NumberEnd(string s, int i)
    {
        i = Digits(s, i);
        if (At(s, i) == '.' && char.IsAsciiDigit(At(s, i + 1)))
        {
            i = Digits(s, i + 1);
        }

        if (At(s, i) is 'e' or 'E')
        {
            var j = At(s, i + 1) is '+' or '-' ? i + 2 : i + 1;
            if (char.IsAsciiDigit(At(s, j)))
            {
                i = Digits(s, j);
            }
        }

        return i;
    }

    private static int Digits(string s, int i)
    {
        while (char.IsAsciiDigit(At(s, i)))
        {
            i++;
        }

        return i;
    }

    private static char NextNonBlank(string s, int i)
    {
        while (At(s, i) is ' ' or '\t')
        {
            i++;
        }

        return At(s, i);
    }
}
