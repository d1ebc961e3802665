namespace CondensationDsl.Reporting.Figures;

/// <summary>A figure to draw: its file stem, kind and caption, and how to write it to a PNG and an SVG path.</summary>
internal sealed record FigureJob(string Name, string Kind, string Caption, Action<string, string> Render)
{
    /// <summary>A name safe as a file stem on every platform (layer names are identifiers, but arrays can be hand-made).</summary>
    public static string FileStem(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        return new string(chars);
    }
}
