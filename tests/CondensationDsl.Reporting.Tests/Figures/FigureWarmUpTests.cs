using CondensationDsl.Reporting.Figures;

namespace CondensationDsl.Reporting.Tests.Figures;

/// <summary>The warm-up draws every kind of figure (so every code path is compiled before the real report), as PNG and SVG.</summary>
public sealed class FigureWarmUpTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cond-warm-up-test-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Warm_up_draws_every_kind_of_figure()
    {
        var figures = FigureWarmUp.Render(Path.Combine(root, "run"));

        Assert.Equal(["clusters", "cosine", "features", "features-snapshot", "loss"], figures.Select(f => f.Kind).Distinct().Order(StringComparer.Ordinal));
        Assert.All(figures, f =>
        {
            Assert.True(new FileInfo(f.PngPath).Length > 1000, f.PngPath);
            Assert.True(new FileInfo(f.SvgPath).Length > 1000, f.SvgPath);
        });
    }
}
