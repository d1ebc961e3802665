using System.Collections.Concurrent;
using ScottPlot;

namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// Panels drawn once for several figures, or ahead of the figure that holds them: the initial heatmap beside every later
/// snapshot's, each snapshot's panel of the small multiples (drawn with the snapshot, while the run trains, so the run's
/// end only adds the last one). A key names what a panel shows; everything it shows must be final when it is first drawn.
/// One cache serves figures drawn with one set of <see cref="FigureOptions"/> (its owner's: <see cref="LiveFigures"/> or
/// one pass of <see cref="FigureRenderer"/>).
/// </summary>
internal sealed class PanelCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<PanelDrawing>> drawings = new(StringComparer.Ordinal);
    private bool disposed;

    /// <summary>
    /// The panel named <paramref name="key"/>: drawn from <paramref name="build"/> by the first caller, whom the others wait
    /// for. A drawing that fails is forgotten (every waiting caller gets its exception), so a later call tries again.
    /// </summary>
    /// <param name="keepPixels">
    /// Rasterize it once and keep the pixels (<see cref="PanelDrawing.Draw(Plot, int, int, bool)"/>): for a panel of many
    /// figures. A panel of one figure drawn ahead keeps only its picture and SVG, a few tens of kilobytes instead of a
    /// megabyte of pixels, since a run may hold hundreds of snapshots.
    /// </param>
    public PanelDrawing GetOrDraw(string key, int width, int height, bool keepPixels, Func<Plot> build)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var lazy = drawings.GetOrAdd(key, _ => new Lazy<PanelDrawing>(() => PanelDrawing.Draw(build, width, height, keepPixels)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            drawings.TryRemove(KeyValuePair.Create(key, lazy));
            throw;
        }
    }

    /// <summary>The keys of the panels drawn or being drawn.</summary>
    public IReadOnlyCollection<string> Keys => [.. drawings.Keys];

    /// <summary>Frees the panels' pixels; only once nothing draws with them any more.</summary>
    public void Dispose()
    {
        disposed = true;
        foreach (var lazy in drawings.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }

        drawings.Clear();
    }
}
