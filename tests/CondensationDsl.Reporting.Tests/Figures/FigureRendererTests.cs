using CondensationDsl.Reporting.Figures;

namespace CondensationDsl.Reporting.Tests.Figures;

public class FigureRendererTests
{
    [Fact]
    public void WritesEveryFigureAsPngAndSvgWithDeclaredSizes()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path);

        var figures = FigureRenderer.RenderAll(temp.Path);

        var expected = new[]
        {
            ("features-h", "features"), ("features-h-step0000000", "features-snapshot"), ("features-h-step0000010", "features-snapshot"),
            ("features-h-step0000100", "features-snapshot"), ("cosine-h-step0000000", "cosine"), ("cosine-h-step0000010", "cosine"),
            ("cosine-h-step0000100", "cosine"), ("clusters-h", "clusters"), ("loss", "loss"),
        };
        Assert.Equal(expected, figures.Select(f => (f.Name, f.Kind)));
        foreach (var figure in figures)
        {
            Assert.Equal(Path.Combine(temp.Path, "figures", figure.Name + ".png"), figure.PngPath);
            Assert.Equal(Path.Combine(temp.Path, "figures", figure.Name + ".svg"), figure.SvgPath);
            Assert.True(new FileInfo(figure.PngPath).Length > 5_000, $"{figure.Name}.png is suspiciously small");
            Assert.True(new FileInfo(figure.SvgPath).Length > 5_000, $"{figure.Name}.svg is suspiciously small");
            ImageFiles.AssertSvg(figure.SvgPath);
            Assert.False(string.IsNullOrWhiteSpace(figure.Caption));
            Assert.DoesNotContain('\n', figure.Caption);
        }

        Assert.Empty(temp.TempFiles());
        var single = FigureLayout.Single;
        Assert.Equal((1200, 800), ((int)single.Width, (int)single.Height));
        Assert.Equal((1200, 800), ImageFiles.PngSize(Png(figures, "loss")));
        Assert.Equal((1200, 800), ImageFiles.PngSize(Png(figures, "clusters-h")));
        Assert.Equal((1200, 800), ImageFiles.PngSize(Png(figures, "features-h-step0000010")));
        Assert.Equal((1200, 800), ImageFiles.PngSize(Png(figures, "cosine-h-step0000000")));
        Assert.Equal(((int)FigureLayout.Pair.Width, (int)FigureLayout.Pair.Height), ImageFiles.PngSize(Png(figures, "cosine-h-step0000100")));

        // Three snapshots: one row of three panels under the header.
        var grid = FigureLayout.GridSize(3);
        Assert.Equal((3 * FigureLayout.CellWidth, FigureCanvas.HeaderHeight + FigureLayout.CellHeight), ((int)grid.Width, (int)grid.Height));
        Assert.Equal(((int)grid.Width, (int)grid.Height), ImageFiles.PngSize(Png(figures, "features-h")));
    }

    [Fact]
    public void HeatmapSvgAsksBrowsersNotToBlurTheCells()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, steps: [0]);

        var cosine = FigureRenderer.RenderAll(temp.Path).Single(f => f.Kind == "cosine");

        Assert.Contains("<image style=\"image-rendering:optimizeSpeed;image-rendering:pixelated\"", File.ReadAllText(cosine.SvgPath), StringComparison.Ordinal);
    }

    [Fact]
    public void CaptionsSayWhatIsShownAndHow()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, steps: [0, 10, 5000]);

        var figures = FigureRenderer.RenderAll(temp.Path).ToDictionary(f => f.Name);

        Assert.Contains("epoch 0, epoch 10, epoch 5000", figures["features-h"].Caption, StringComparison.Ordinal);
        Assert.Contains("4 static", figures["features-h-step0005000"].Caption, StringComparison.Ordinal);
        Assert.Contains("leading-eigenvector order", figures["cosine-h-step0000010"].Caption, StringComparison.Ordinal);
        Assert.Contains("[−1, 1]", figures["cosine-h-step0000010"].Caption, StringComparison.Ordinal);
        Assert.Contains("initial state at epoch 0", figures["cosine-h-step0000010"].Caption, StringComparison.Ordinal);

        // Cluster counts at steps 20..5000 span more than two decades: log step axis, and step 0 is said to be dropped.
        Assert.Contains("step 0 not shown", figures["clusters-h"].Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterOrderIsDeclaredAndFallsBackWithoutWeights()
    {
        using var withWeights = new TempDirectory();
        SyntheticRun.Write(withWeights.Path);
        using var withoutWeights = new TempDirectory();
        SyntheticRun.Write(withoutWeights.Path, weights: false);
        var options = new FigureOptions { HeatmapOrder = "cluster", ClusterThreshold = 0.99 };

        var clustered = FigureRenderer.RenderAll(withWeights.Path, options).Single(f => f.Name == "cosine-h-step0000100");
        var fallback = FigureRenderer.RenderAll(withoutWeights.Path, options).Single(f => f.Name == "cosine-h-step0000100");

        Assert.Contains("cluster order", clustered.Caption, StringComparison.Ordinal);
        Assert.Contains("τ = 0.99", clustered.Caption, StringComparison.Ordinal);
        Assert.Contains("leading-eigenvector order (cluster order needs the weights", fallback.Caption, StringComparison.Ordinal);
        Assert.True(File.Exists(fallback.PngPath));
    }

    [Fact]
    public void OptionsProduceTheirFigures()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, amplitudeScale: 1e-9);

        var figures = FigureRenderer.RenderAll(temp.Path, new FigureOptions { LogAmplitude = true, Trajectories = true });

        var grid = figures.Single(f => f.Name == "features-h");
        Assert.Contains("log scale", grid.Caption, StringComparison.Ordinal);
        Assert.Contains("path", grid.Caption, StringComparison.Ordinal);
        Assert.True(new FileInfo(grid.PngPath).Length > 5_000);
    }

    [Fact]
    public void MissingArraysMeanNoArrayFigures()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, features: false, cosine: false, weights: false);

        var figures = FigureRenderer.RenderAll(temp.Path);

        Assert.Equal(["clusters-h", "loss"], figures.Select(f => f.Name));
    }

    [Fact]
    public void MissingMetricsMeanNoCurves()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, metrics: false);
        File.Delete(Path.Combine(temp.Path, RunFolder.MetricsFileName));

        var figures = FigureRenderer.RenderAll(temp.Path);

        Assert.DoesNotContain(figures, f => f.Kind is "loss" or "clusters");
        Assert.Contains(figures, f => f.Kind == "features");
    }

    [Fact]
    public void EmptyOrMissingFolderGivesNoFiguresAndNoException()
    {
        using var temp = new TempDirectory();

        Assert.Empty(FigureRenderer.RenderAll(temp.Path));
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "figures")));
        Assert.Empty(FigureRenderer.RenderAll(Path.Combine(temp.Path, "no-such-run")));
    }

    [Fact]
    public void DamagedInputsAreSkipped()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, steps: [0, 10]);
        var arrays = Path.Combine(temp.Path, RunFolder.ArraysFolderName);
        File.WriteAllText(Path.Combine(arrays, "cosine.h.step0000010.npy"), "not numpy");
        File.WriteAllBytes(Path.Combine(arrays, "features.h.step0000010.npy"), Npy.Encode([2, 2], [1, 2, 3, 4]));
        File.WriteAllText(Path.Combine(arrays, "unrelated.npy"), "ignored: no step in the name");
        File.WriteAllText(Path.Combine(temp.Path, RunFolder.MetricsFileName), "step,epoch,loss\n0,0,x\n");
        File.WriteAllText(Path.Combine(temp.Path, RunFolder.RunJsonFileName), "{ broken");

        var figures = FigureRenderer.RenderAll(temp.Path);

        Assert.Equal(["features-h", "features-h-step0000000", "cosine-h-step0000000"], figures.Select(f => f.Name));
        Assert.All(figures, f => Assert.True(File.Exists(f.PngPath)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TinyLayersRender(int m)
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, m: m, steps: [0, 10]);

        var figures = FigureRenderer.RenderAll(temp.Path, new FigureOptions { HeatmapOrder = "cluster", Trajectories = true, LogAmplitude = true });

        Assert.Equal(7, figures.Count);
        Assert.All(figures, f => Assert.True(File.Exists(f.PngPath) && File.Exists(f.SvgPath)));
    }

    [Fact]
    public void RenderingAgainReplacesTheFiles()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, steps: [0, 10]);

        var first = FigureRenderer.RenderAll(temp.Path);
        var second = FigureRenderer.RenderAll(temp.Path);

        Assert.Equal(first.Select(f => f.Name), second.Select(f => f.Name));
        Assert.Equal(2 * first.Count, Directory.GetFiles(Path.Combine(temp.Path, "figures")).Length);
        Assert.Empty(temp.TempFiles());
    }

    [Fact]
    public void The_small_multiples_svg_holds_each_panel_in_its_cell()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, steps: [0, 10, 20, 30, 40]);

        var grid = FigureRenderer.RenderAll(temp.Path).Single(f => f.Name == "features-h");

        // Five panels: three columns, two rows; each panel is its own svg element at its cell, clipped to it.
        var panels = System.Xml.Linq.XDocument.Load(grid.SvgPath).Root!.Elements().Where(e => e.Name.LocalName == "svg").ToArray();
        Assert.Equal(5, panels.Length);
        for (var i = 0; i < panels.Length; i++)
        {
            var cell = FigureLayout.GridCell(5, i);
            Assert.Equal(
                ((int)cell.Left, (int)cell.Top, FigureLayout.CellWidth, FigureLayout.CellHeight),
                ((int)panels[i].Attribute("x")!, (int)panels[i].Attribute("y")!, (int)panels[i].Attribute("width")!, (int)panels[i].Attribute("height")!));
        }
    }

    [Fact]
    public void A_convolutions_heatmaps_are_about_its_filters_kernels()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path);
        ModelFile.Write(temp.Path, new ModelDescription("net", 1, [new LayerDescription(SyntheticRun.Layer, "conv", 20, "relu", false, null, null)]));

        var cosine = FigureRenderer.RenderAll(temp.Path).Single(f => f.Name == "cosine-h-step0000100");

        Assert.Contains("kernels (each over input channels × kernel positions, no bias) of the 20 filters of layer h", cosine.Caption, StringComparison.Ordinal);
        Assert.Contains("blocks are filters sharing a direction", cosine.Caption, StringComparison.Ordinal);
        Assert.Contains("filter (eigenvector order)", File.ReadAllText(cosine.SvgPath), StringComparison.Ordinal);
        Assert.DoesNotContain("neuron", File.ReadAllText(cosine.SvgPath), StringComparison.Ordinal);
    }

    [Fact]
    public void Layers_inside_a_residual_block_are_convolutions_and_without_model_json_none_is()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path);
        var withoutModel = RunFiles.Read(temp.Path, new PanelCache());
        ModelFile.Write(temp.Path, new ModelDescription("resnet", 3,
        [
            new LayerDescription("conv1", "conv", 16, "linear", false, null, null),
            new LayerDescription("layer4.1", "residual", 128, "relu", false, null, null),
            new LayerDescription("fc", "dense", 10, "linear", true, 1, 2),
        ]));
        var withModel = RunFiles.Read(temp.Path, new PanelCache());

        Assert.True(withModel.IsConvolution("conv1"));
        Assert.True(withModel.IsConvolution("layer4.1.conv2"));
        Assert.False(withModel.IsConvolution("layer4.10.conv2"));
        Assert.False(withModel.IsConvolution("fc"));
        Assert.False(withoutModel.IsConvolution("conv1"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(32, 5)]
    [InlineData(100, 10)]
    [InlineData(101, 20)]
    [InlineData(512, 100)]
    [InlineData(2048, 500)]
    public void Neuron_axes_are_ticked_at_round_steps_with_at_most_ten_intervals(int count, int step)
    {
        Assert.Equal(step, FigureStyle.CountTickStep(count));
    }

    private static string Png(IReadOnlyList<FigureFile> figures, string name) => figures.Single(f => f.Name == name).PngPath;
}
