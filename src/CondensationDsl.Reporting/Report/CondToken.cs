namespace CondensationDsl.Reporting.Report;

/// <summary>What a piece of .cond source is, for colouring. Not a parser's token: blanks and unknown characters are kept.</summary>
public enum CondTokenKind
{
    /// <summary>A word quoted in the grammar's statement rules (experiment, let, data, ..., expect, end).</summary>
    Keyword,

    /// <summary>A built-in name: layer kind, function, activation, data/optimizer/loss/init call, measure, constant.</summary>
    Builtin,

    /// <summary>A name being declared: the experiment, a let, a data set, a model, a layer.</summary>
    Declaration,

    Identifier,
    Number,
    String,
    Comment,
    Operator,
    Punctuation,
    Whitespace,
    Newline,

    /// <summary>A character the language does not use; shown as is (escaped).</summary>
    Other,
}

public readonly record struct CondToken(CondTokenKind Kind, string Text);
