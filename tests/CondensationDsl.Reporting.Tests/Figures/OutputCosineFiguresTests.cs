using CondensationDsl.Reporting.Figures;

namespace CondensationDsl.Reporting.Tests.Figures;

/// <summary>cosine_outputs.&lt;layer&gt; arrays get heatmaps like the weights' cosine, told apart by title, caption and kind.</summary>
public class OutputCosineFiguresTests
{
    [Fact]
    public void Output_cosine_arrays_get_their_own_heatmaps_beside_the_initial_state()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, outputCosine: true);

        var figures = FigureRenderer.RenderAll(temp.Path).ToDictionary(f => f.Name);

        string[] outputs = ["cosine-outputs-h-step0000000", "cosine-outputs-h-step0000010", "cosine-outputs-h-step0000100"];
        Assert.Equal(outputs, figures.Values.Where(f => f.Kind == "cosine-outputs").Select(f => f.Name));
        Assert.Equal(3, figures.Values.Count(f => f.Kind == "cosine"));
        Assert.Equal((1200, 800), ImageFiles.PngSize(figures[outputs[0]].PngPath));
        Assert.Equal(((int)FigureLayout.Pair.Width, (int)FigureLayout.Pair.Height), ImageFiles.PngSize(figures[outputs[2]].PngPath));

        var later = figures[outputs[2]].Caption;
        Assert.Contains("outputs", later, StringComparison.Ordinal);
        Assert.Contains("beside the initial state at epoch 0", later, StringComparison.Ordinal);
        Assert.Contains("leading-eigenvector order", later, StringComparison.Ordinal);
        Assert.Contains("[−1, 1]", later, StringComparison.Ordinal);
        Assert.Contains("input weights", figures["cosine-h-step0000100"].Caption, StringComparison.Ordinal);
        Assert.DoesNotContain("input weights", later, StringComparison.Ordinal);
    }

    [Fact]
    public void Titles_say_outputs_or_weights()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, steps: [0], outputCosine: true);

        var figures = FigureRenderer.RenderAll(temp.Path).ToDictionary(f => f.Name);

        // Skia's SVG keeps text as text, so the header and colour-bar label can be read back.
        var outputs = File.ReadAllText(figures["cosine-outputs-h-step0000000"].SvgPath);
        var weights = File.ReadAllText(figures["cosine-h-step0000000"].SvgPath);
        Assert.Contains("cosine similarity of outputs, layer h", outputs, StringComparison.Ordinal);
        Assert.Contains("cosine similarity of weights, layer h", weights, StringComparison.Ordinal);
        Assert.DoesNotContain("of weights", outputs, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_heatmaps_differ_from_the_weight_heatmaps_of_the_same_step()
    {
        using var temp = new TempDirectory();
        SyntheticRun.Write(temp.Path, steps: [0, 100], outputCosine: true);

        var figures = FigureRenderer.RenderAll(temp.Path).ToDictionary(f => f.Name);

        // Drawn from their own array, not the weights' one under another name.
        Assert.NotEqual(File.ReadAllBytes(figures["cosine-h-step0000100"].PngPath), File.ReadAllBytes(figures["cosine-outputs-h-step0000100"].PngPath));
    }
}
