using CondensationDsl.Reporting.Figures;
using ScottPlot;

namespace CondensationDsl.Reporting.Tests.Figures;

/// <summary>Panels drawn once and shared (<see cref="PanelCache"/>), and the loop that draws a pass's figures.</summary>
public class PanelCacheTests
{
    [Fact]
    public void A_panel_is_drawn_once_for_every_caller()
    {
        using var cache = new PanelCache();
        var builds = 0;
        Plot Build()
        {
            Interlocked.Increment(ref builds);
            return new Plot();
        }

        var drawings = Enumerable.Range(0, 8).AsParallel().Select(_ => cache.GetOrDraw("a", 40, 30, keepPixels: true, Build)).ToArray();

        Assert.Equal(1, builds);
        Assert.All(drawings, d => Assert.Same(drawings[0], d));
        Assert.Equal((40, 30), (drawings[0].Width, drawings[0].Height));
    }

    [Fact]
    public void A_panel_that_failed_is_drawn_again_on_the_next_call()
    {
        using var cache = new PanelCache();
        var calls = 0;
        Plot Build() => ++calls == 1 ? throw new InvalidOperationException("first try fails") : new Plot();

        Assert.Throws<InvalidOperationException>(() => cache.GetOrDraw("a", 40, 30, keepPixels: true, Build));
        var drawing = cache.GetOrDraw("a", 40, 30, keepPixels: true, Build);

        Assert.Equal(2, calls);
        Assert.Same(drawing, cache.GetOrDraw("a", 40, 30, keepPixels: true, Build));
    }

    [Fact]
    public void Every_figure_is_attempted_and_every_failure_reported()
    {
        var attempted = new int[6];

        var failure = Assert.Throws<AggregateException>(() => FigureRenderer.DrawEach(6, 2, i =>
        {
            Interlocked.Increment(ref attempted[i]);
            if (i is 1 or 4)
            {
                throw new InvalidOperationException($"figure {i}");
            }
        }));

        Assert.All(attempted, count => Assert.Equal(1, count));
        Assert.Equal(["figure 1", "figure 4"], failure.Flatten().InnerExceptions.Select(e => e.Message).Order(StringComparer.Ordinal));
    }
}
