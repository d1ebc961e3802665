using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Embedding;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Tests.Report;

/// <summary>embedding.json: written by the run folder, read back by the report's "Embedding" section.</summary>
public class EmbeddingReportTests
{
    private static EmbeddingResult Embedded => EmbeddingExpectationTests.Embedded;

    [Fact]
    public void SerializeAndParseRoundTripEveryField()
    {
        var text = EmbeddingFile.Serialize(Embedded);
        Assert.Equal(Embedded, EmbeddingFile.Parse(text));
        foreach (var field in new[] { "layer", "neuron", "split", "widthBefore", "widthAfter", "lossBefore", "lossAfter", "functionGap",
                     "gradientNormBefore", "gradientNormAfter", "hessianBefore", "hessianAfter", "zeroTolerance", "hessianSkipped" })
        {
            Assert.Contains($"\"{field}\":", text);
        }

        Assert.Contains("\"neuron\": 2,", text);
        Assert.Contains("\"hessianSkipped\": null", text);
    }

    [Fact]
    public void NonFiniteNumbersAndASkippedHessianRoundTrip()
    {
        var odd = Embedded with
        {
            LossAfter = double.NaN,
            FunctionGap = double.PositiveInfinity,
            GradientNormAfter = double.NegativeInfinity,
            HessianBefore = null,
            HessianAfter = null,
            HessianSkipped = "12345 parameters: more than the 2000 the dense eigensolver takes",
        };
        var text = EmbeddingFile.Serialize(odd);
        Assert.Contains("\"lossAfter\": \"NaN\"", text);
        Assert.Contains("\"functionGap\": \"Infinity\"", text);
        Assert.Contains("\"gradientNormAfter\": \"-Infinity\"", text);
        Assert.Contains("\"hessianBefore\": null", text);
        Assert.Contains("\"hessianAfter\": null", text);

        var back = EmbeddingFile.Parse(text);
        Assert.True(double.IsNaN(back.LossAfter));
        Assert.Equal(double.PositiveInfinity, back.FunctionGap);
        Assert.Equal(double.NegativeInfinity, back.GradientNormAfter);
        Assert.Null(back.HessianBefore);
        Assert.Null(back.HessianAfter);
        Assert.Equal(odd.HessianSkipped, back.HessianSkipped);
        Assert.Equal(odd, back);
    }

    [Fact]
    public void WriteIsAtomicAndReadIsNullWithoutTheFile()
    {
        using var dir = new TempDirectory();
        Assert.Null(EmbeddingFile.Read(dir.Path));
        EmbeddingFile.Write(dir.Path, Embedded);
        Assert.Empty(dir.TempFiles());
        Assert.Equal(Embedded, EmbeddingFile.Read(dir.Path));
        EmbeddingFile.Write(dir.Path, Embedded with { Neuron = 7 });
        Assert.Equal(7, EmbeddingFile.Read(dir.Path)!.Neuron);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"layer\": \"hidden\"}")]
    [InlineData("{\"layer\": \"hidden\", \"neuron\": 2.5}")]
    public void AMalformedEmbeddingJsonIsInvalidDataNamingTheFile(string text)
    {
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingFile.Parse(text, "run/embedding.json"));
        Assert.StartsWith("run/embedding.json: not a valid embedding result", error.Message);
    }

    [Theory]
    [InlineData("\"split\": 0.3", "\"split\": \"lots\"", "'split' must be a number")]
    [InlineData("\"positive\": 40", "\"positive\": \"forty\"", "'hessianBefore.positive' must be a whole number")]
    [InlineData("\"hessianAfter\": {", "\"hessianAfter\": 3, \"x\": {", "'hessianAfter' must be an object or null")]
    [InlineData("\"hessianSkipped\": null", "\"hessianSkipped\": 5", "'hessianSkipped' must be a string or null")]
    public void AWrongFieldIsNamed(string from, string to, string message)
    {
        var text = EmbeddingFile.Serialize(Embedded);
        Assert.Contains(from, text);
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingFile.Parse(text.Replace(from, to, StringComparison.Ordinal), "e.json"));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ReadNamesTheFileOnDisk()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(EmbeddingFile.PathIn(dir.Path), "{ broken");
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingFile.Read(dir.Path));
        Assert.StartsWith(EmbeddingFile.PathIn(dir.Path) + ": not a valid embedding result", error.Message);
    }

    [Fact]
    public void TheRunFolderWritesEmbeddingJsonAndARerunRemovesIt()
    {
        using var dir = new TempDirectory();
        using (var run = RunFolder.At(dir.Path, "embed_test"))
        {
            run.Start(new RunInfo("0.1.0-test", "cpu (test)", 1, new Dictionary<string, double>()));

            // Through the interface, as the runtime calls it: RunFolder's member, not the default no-op.
            ((IRunSink)run).RecordEmbedding(Embedded);
            run.Complete();
        }

        Assert.Equal(Embedded, EmbeddingFile.Read(dir.Path));
        Assert.Empty(dir.TempFiles());

        using var second = RunFolder.At(dir.Path, "embed_test");
        Assert.False(File.Exists(EmbeddingFile.PathIn(dir.Path)));
    }

    [Fact]
    public void TheReportShowsTheSplitNumbersCountsAndVerdictFromEmbeddingJsonAlone()
    {
        using var dir = new TempDirectory();
        EmbeddingFile.Write(dir.Path, Embedded);

        var html = HtmlReport.Render(dir.Path, []);
        var section = Section(html);
        Assert.Contains("<a href=\"#embedding\">Embedding</a>", html);
        Assert.Contains("Layer <code>hidden</code>: neuron 3 of 20 split into two", section);
        Assert.Contains("s = 0.3; width 20 → 21.", section);
        Assert.Contains("<tr><td>narrow (trained)</td><td class=\"num\">20</td><td class=\"num\">0.0002</td><td class=\"num\">1e-07</td></tr>", section);
        Assert.Contains("<tr><td>wide (embedded)</td><td class=\"num\">21</td><td class=\"num\">0.00020001</td><td class=\"num\">1.2e-07</td></tr>", section);
        Assert.Contains("over the training data = <strong>3e-16</strong>", section);
        Assert.Contains("<tr><td>before</td><td class=\"num\">40</td><td class=\"num\">20</td><td class=\"num\">1</td></tr>", section);
        Assert.Contains("<tr><td>after</td><td class=\"num\">40</td><td class=\"num\">23</td><td class=\"num\">1</td></tr>", section);
        Assert.Contains("Zero: |λ| ≤ 1e-06 × max |λ|.", section);
        Assert.Contains("<strong class=\"pass\">holds</strong>: same function (gap 3e-16), critical point kept (‖∇L‖ 1e-07 → 1.2e-07), no count decreased</p>", section);

        // After the reduction section's place, before the metrics.
        Assert.True(html.IndexOf("<section id=\"embedding\">", StringComparison.Ordinal) < html.IndexOf("<section id=\"metrics\"", StringComparison.Ordinal));
    }

    [Fact]
    public void TheVerdictNamesWhatFails()
    {
        using var dir = new TempDirectory();
        EmbeddingFile.Write(dir.Path, Embedded with
        {
            FunctionGap = 0.01,
            GradientNormAfter = 1e-3,
            HessianAfter = new HessianCounts(39, 24, 0),
        });
        var section = Section(HtmlReport.Render(dir.Path, []));
        Assert.Contains("<strong class=\"fail\">fails</strong>: not the same function (gap 0.01 &gt; 1e-09), critical point not kept (‖∇L‖ 1e-07 → 0.001), "
            + "counts decreased (positive 40 → 39, negative 1 → 0)</p>", section);
        Assert.Contains("<tr class=\"failed\"><td>after</td><td class=\"num fail\">39</td><td class=\"num\">24</td><td class=\"num fail\">0</td></tr>", section);
    }

    [Fact]
    public void TheGradientMayGrowByAtMostTheSplittingFactor()
    {
        // s = 0.3: at most √2 × before.
        Assert.True(EmbeddingVerdict.Of(Embedded with { GradientNormAfter = 1.41e-7 }).Holds);
        Assert.False(EmbeddingVerdict.Of(Embedded with { GradientNormAfter = 1.42e-7 }).Holds);

        // s = 3: s² + (1 − s)² = 13.
        Assert.True(EmbeddingVerdict.Of(Embedded with { Split = 3, GradientNormAfter = 3.6e-7 }).Holds);
        Assert.False(EmbeddingVerdict.Of(Embedded with { Split = 3, GradientNormAfter = 3.7e-7 }).Holds);

        // NaN never passes.
        Assert.False(EmbeddingVerdict.Of(Embedded with { GradientNormAfter = double.NaN }).Holds);
        Assert.False(EmbeddingVerdict.Of(Embedded with { FunctionGap = double.NaN }).Holds);
    }

    [Fact]
    public void ASkippedHessianIsSaidAndDecidesNothing()
    {
        using var dir = new TempDirectory();
        EmbeddingFile.Write(dir.Path, Embedded with { HessianBefore = null, HessianAfter = null, HessianSkipped = "5000 parameters (over 2000)" });
        var section = Section(HtmlReport.Render(dir.Path, []));
        Assert.Contains("Hessian eigenvalues not computed: 5000 parameters (over 2000).", section);
        Assert.DoesNotContain("<table class=\"hessian\">", section);
        Assert.Contains("<strong class=\"pass\">holds</strong>: same function (gap 3e-16), critical point kept (‖∇L‖ 1e-07 → 1.2e-07), Hessian counts not computed</p>", section);
    }

    [Fact]
    public void ARunWithoutEmbeddingHasNoSectionAndAMalformedFileShowsItsProblem()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        var html = HtmlReport.Render(dir.Path, []);
        Assert.DoesNotContain("id=\"embedding\"", html);
        Assert.DoesNotContain("href=\"#embedding\"", html);

        File.WriteAllText(EmbeddingFile.PathIn(dir.Path), "{ broken");
        html = HtmlReport.Render(dir.Path, []);
        Assert.Contains("href=\"#embedding\"", html);
        Assert.Contains("not a valid embedding result", Section(html));
    }

    private static string Section(string html)
    {
        var start = html.IndexOf("<section id=\"embedding\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "no embedding section");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }
}
