namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// A figure to draw: its file stem, kind and caption, and how to write it to a PNG and an SVG path. <see cref="Step"/> is
/// the snapshot a per-snapshot figure shows (drawn from that snapshot and earlier ones only, so it can be drawn while the
/// run goes on); null for a figure of the whole run (curves, small multiples), drawn once the run has ended.
/// </summary>
internal sealed record FigureJob(string Name, string Kind, string Caption, Action<string, string> Render)
{
    public long? Step { get; init; }

    /// <summary>A name safe as a file stem on every platform (layer names are identifiers, but arrays can be hand-made).</summary>
    public static string FileStem(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        return new string(chars);
    }
}
