using System.Text.RegularExpressions;
using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Tests.Report;

public class CondHighlighterTests
{
    /// <summary>Words quoted in cond.ebnf's statement rules: from `statement` up to the generic `block(item)` rule, comments removed.</summary>
    private static string[] StatementKeywords()
    {
        var grammar = File.ReadAllText(RepositoryFiles.Path("grammar", "cond.ebnf"));
        var start = grammar.IndexOf("\nstatement ", StringComparison.Ordinal);
        var end = grammar.IndexOf("\nblock(item)", StringComparison.Ordinal);
        Assert.True(start > 0 && end > start, "cond.ebnf no longer has the statement rules where this test looks for them.");
        var rules = Regex.Replace(grammar[start..end], @"\(\*.*?\*\)", " ", RegexOptions.Singleline);
        return Regex.Matches(rules, "\"([A-Za-z][A-Za-z0-9_]*)\"").Select(m => m.Groups[1].Value).Distinct().ToArray();
    }

    [Fact]
    public void EveryKeywordOfTheGrammarsStatementRulesIsAKeyword()
    {
        var keywords = StatementKeywords();
        Assert.Contains("experiment", keywords);
        Assert.Contains("expect", keywords);
        Assert.Contains("until", keywords);
        foreach (var keyword in keywords)
        {
            // Alone, and after an `observe`, where no declaration context can change the reading.
            Assert.Equal(CondTokenKind.Keyword, Assert.Single(CondHighlighter.Tokenize(keyword)).Kind);
            Assert.Equal(CondTokenKind.Keyword, CondHighlighter.Tokenize("observe " + keyword)[2].Kind);
        }

        Assert.Equal(keywords.Order(), CondHighlighter.Keywords.Order());
    }

    [Fact]
    public void TokensConcatenateBackToTheSourceForEveryExample()
    {
        var examples = Directory.GetFiles(RepositoryFiles.Path("examples"), "*.cond");
        Assert.NotEmpty(examples);
        foreach (var file in examples)
        {
            var source = File.ReadAllText(file);
            var tokens = CondHighlighter.Tokenize(source);
            Assert.Equal(source, string.Concat(tokens.Select(t => t.Text)));
            Assert.DoesNotContain(tokens, t => t.Kind == CondTokenKind.Other);
        }
    }

    [Fact]
    public void ClassifiesEachKindOfToken()
    {
        var source = "experiment fig1 \"A \\\"title\\\"\"  # note\nlet m = 1e-3\ndata train = grid(-1, 1, points: 40)\n" +
                     "model net { dense hidden(m, relu) }\nsweep { seed in 1..3 }\nexpect clusters(hidden) at end <= 4\n";
        var kinds = CondHighlighter.Tokenize(source)
            .Where(t => t.Kind is not (CondTokenKind.Whitespace or CondTokenKind.Newline))
            .Select(t => (t.Kind, t.Text))
            .ToArray();
        Assert.Contains((CondTokenKind.Keyword, "experiment"), kinds);
        Assert.Contains((CondTokenKind.Declaration, "fig1"), kinds);
        Assert.Contains((CondTokenKind.String, "\"A \\\"title\\\"\""), kinds);
        Assert.Contains((CondTokenKind.Comment, "# note"), kinds);
        Assert.Contains((CondTokenKind.Declaration, "m"), kinds);
        Assert.Contains((CondTokenKind.Number, "1e-3"), kinds);

        // `train` is a keyword, but after `data` it is the data set's name.
        Assert.Contains((CondTokenKind.Declaration, "train"), kinds);
        Assert.Contains((CondTokenKind.Builtin, "grid"), kinds);
        Assert.Contains((CondTokenKind.Declaration, "net"), kinds);
        Assert.Contains((CondTokenKind.Builtin, "dense"), kinds);
        Assert.Contains((CondTokenKind.Declaration, "hidden"), kinds);
        Assert.Contains((CondTokenKind.Builtin, "relu"), kinds);
        Assert.Contains((CondTokenKind.Builtin, "clusters"), kinds);
        Assert.Contains((CondTokenKind.Identifier, "seed"), kinds);

        // "1..3" lexes as 1 .. 3, as in the grammar.
        Assert.Contains((CondTokenKind.Number, "1"), kinds);
        Assert.Contains((CondTokenKind.Operator, ".."), kinds);
        Assert.Contains((CondTokenKind.Number, "3"), kinds);
        Assert.Contains((CondTokenKind.Operator, "<="), kinds);
        Assert.Contains((CondTokenKind.Operator, "-"), kinds);
        Assert.Contains((CondTokenKind.Punctuation, "{"), kinds);
        Assert.Contains((CondTokenKind.Keyword, "end"), kinds);
    }

    [Fact]
    public void HtmlEscapesEverything()
    {
        var html = CondHighlighter.ToHtml("experiment x \"<script>alert('&')</script>\" # </pre><b>\nlet a = 1 < 2 & 3 > 4 @");
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("</pre>", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;script&gt;alert(&#39;&amp;&#39;)&lt;/script&gt;", html);
        Assert.Contains("<span class=\"tok-o\">&lt;</span>", html);
        Assert.Contains("<span class=\"tok-o\">&gt;</span>", html);
        Assert.Contains("&amp;", html);
    }

    [Fact]
    public void OneLineSpanPerSourceLine()
    {
        var html = CondHighlighter.ToHtml("let a = 1\r\n\nlet b = \"unterminated\nlet c = 3");
        Assert.Equal(4, Regex.Matches(html, "<span class=\"line\">").Count);
        Assert.Contains("<span class=\"tok-s\">&quot;unterminated</span>", html);
    }

    [Fact]
    public void ExperimentHeaderReadsNameAndTitle()
    {
        Assert.Equal(new ExperimentHeader("fig1", "Growth \"quoted\" \\ end"),
            ExperimentHeader.Find("# comment\nexperiment fig1 \"Growth \\\"quoted\\\" \\\\ end\"\nlet m = 1\n"));
        Assert.Equal(new ExperimentHeader("plain", "plain"), ExperimentHeader.Find("experiment plain\n"));
        Assert.Null(ExperimentHeader.Find("let m = 1\n"));
    }
}
