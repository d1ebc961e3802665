using System.Globalization;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// One arrays/*.npy file named "&lt;kind&gt;.&lt;layer&gt;.step&lt;N:D7&gt;.npy" (features, cosine, weights), decoded.
/// The layer part may itself hold dots (e.g. a future "hidden.outputs.train"), so the kind is the text before the first
/// dot and the step the text after the last ".step".
/// </summary>
internal sealed record SnapshotArray(string Kind, string Layer, long Step, int[] Shape, double[] Data)
{
    private const string StepMarker = ".step";

    /// <summary>Splits a file name into kind, layer and step; false for any other name.</summary>
    public static bool TryParseName(string fileName, out string kind, out string layer, out long step)
    {
        kind = layer = string.Empty;
        step = 0;
        if (!fileName.EndsWith(".npy", StringComparison.Ordinal))
        {
            return false;
        }

        var stem = fileName[..^4];
        var firstDot = stem.IndexOf('.', StringComparison.Ordinal);
        var stepAt = stem.LastIndexOf(StepMarker, StringComparison.Ordinal);
        if (firstDot <= 0 || stepAt <= firstDot + 1)
        {
            return false;
        }

        var digits = stem[(stepAt + StepMarker.Length)..];
        if (digits.Length == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out step))
        {
            return false;
        }

        kind = stem[..firstDot];
        layer = stem[(firstDot + 1)..stepAt];
        return true;
    }

    /// <summary>
    /// Every well-named array in <paramref name="arraysDirectory"/>, sorted by kind, layer and step. A file that cannot be
    /// read or decoded is skipped: figures are a view of the run, and one bad array must not cost the others.
    /// </summary>
    public static IReadOnlyList<SnapshotArray> LoadAll(string arraysDirectory)
    {
        if (!Directory.Exists(arraysDirectory))
        {
            return [];
        }

        var names = Directory.EnumerateFiles(arraysDirectory, "*.npy")
            .Select(path => (Path: path, Name: Path.GetFileName(path)))
            .Where(file => TryParseName(file.Name, out _, out _, out _))
            .ToArray();
        var loaded = new SnapshotArray?[names.Length];
        Parallel.For(0, names.Length, i => loaded[i] = TryLoad(names[i].Path, names[i].Name));
        return Sorted(loaded.OfType<SnapshotArray>());
    }

    /// <summary>By kind, layer and step: the order every figure list is built in.</summary>
    public static SnapshotArray[] Sorted(IEnumerable<SnapshotArray> arrays) =>
        arrays
            .OrderBy(a => a.Kind, StringComparer.Ordinal)
            .ThenBy(a => a.Layer, StringComparer.Ordinal)
            .ThenBy(a => a.Step)
            .ToArray();

    private static SnapshotArray? TryLoad(string path, string name)
    {
        TryParseName(name, out var kind, out var layer, out var step);
        try
        {
            var (shape, data) = Npy.Decode(File.ReadAllBytes(path));
            return new SnapshotArray(kind, layer, step, shape, data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }
}
