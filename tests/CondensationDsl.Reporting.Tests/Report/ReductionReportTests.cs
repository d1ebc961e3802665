using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Reduction;

namespace CondensationDsl.Reporting.Tests.Report;

/// <summary>reduction.json as a real run writes it, read back by the expectations and the report's "Width reduction" section.</summary>
public class ReductionReportTests
{
    private static ReductionResult Reduced => ExpectationEvaluatorTests.Reduced;

    /// <summary>Trains a 20-neuron ReLU network briefly into <paramref name="directory"/>, reduces "hidden" and fine-tunes for 30 epochs.</summary>
    private static void TrainAndReduce(string directory, bool fineTune = true)
    {
        using var run = RunFolder.At(directory, "reduce_test");
        run.Start(new RunInfo("0.1.0-test", "cpu (test)", 1, new Dictionary<string, double>()) { GitCommit = "abc1234" });
        using var device = new CpuDevice(1);
        var context = new RunContext(device, new Dictionary<string, double>(), run, null, CancellationToken.None);
        var data = new GridDataSpec("train", -1, 1, 16, x => Fn.Relu(x[0]) - Fn.Relu(x[0] - 0.5));
        var model = new ModelSpec("net", 1, [
            new LayerSpec("hidden", LayerKind.Dense, 20, Activation.Relu, true, null),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.3);
        var adam = new AdamSpec(1e-2, 0.9, 0.999, 1e-8);
        var training = new TrainingSpec(LossKind.Mse, adam, DurationUnit.Epochs, 100, null);
        var tuning = fineTune ? new TrainingSpec(LossKind.Mse, adam with { LearningRate = 1e-3 }, DurationUnit.Epochs, 30, null) : null;
        Trainer.Run(context, model, data, training, [new ObservationSpec(new EveryScheduleSpec(50), [new LossMeasure()])],
            new ReductionSpec("hidden", 0.9, 1e-3, tuning));
        run.Complete();
    }

    [Fact]
    public void ARunThatReducesWritesReductionJsonAndTheReducedParameters()
    {
        using var dir = new TempDirectory();
        TrainAndReduce(dir.Path);

        var result = ReductionFile.Read(dir.Path);
        Assert.NotNull(result);
        Assert.Empty(dir.TempFiles());
        Assert.Equal(("hidden", "out", 20, 16), (result.Layer, result.NextLayer, result.WidthBefore, result.Points));
        Assert.InRange(result.WidthAfter, 1, 20);
        Assert.Equal(20, result.Groups.Count);
        Assert.Equal(30, result.FineTuneSteps);
        Assert.NotNull(result.LossFinetuned);
        Assert.NotNull(result.AgreementFinetuned);

        // The loss before reduction is the last loss training wrote to metrics.csv.
        var table = MetricsTable.Read(Path.Combine(dir.Path, RunFolder.MetricsFileName));
        Assert.Equal(table.Rows[^1][table.IndexOf("loss")], result.LossBefore, 12);
        foreach (var array in new[] { "reduced.hidden.weight", "reduced.hidden.bias", "reduced.out.weight", "finetuned.out.weight", "reduction.finetune_loss" })
        {
            Assert.True(File.Exists(Path.Combine(dir.Path, "arrays", array + ".npy")), array);
        }

        var text = File.ReadAllText(ReductionFile.PathIn(dir.Path));
        foreach (var field in new[] { "widthBefore", "widthAfter", "lossBefore", "lossReduced", "agreementReduced", "lossFinetuned", "agreementFinetuned", "groups" })
        {
            Assert.Contains($"\"{field}\":", text);
        }
    }

    [Fact]
    public void RerunningIntoTheFolderRemovesTheEarlierReduction()
    {
        using var dir = new TempDirectory();
        TrainAndReduce(dir.Path);
        Assert.True(File.Exists(ReductionFile.PathIn(dir.Path)));

        using var second = RunFolder.At(dir.Path, "reduce_test");
        Assert.False(File.Exists(ReductionFile.PathIn(dir.Path)));
    }

    [Fact]
    public void SerializeAndParseRoundTripEveryField()
    {
        var parsed = ReductionFile.Parse(ReductionFile.Serialize(Reduced));
        Assert.Equal(Reduced with { Groups = [] }, parsed with { Groups = [] });
        Assert.Equal(Reduced.Groups, parsed.Groups);

        var notTuned = Reduced with { FineTuneSteps = null, LossFinetuned = null, AgreementFinetuned = null, LossReduced = double.PositiveInfinity, Groups = [0, 0, -1, 3] };
        var text = ReductionFile.Serialize(notTuned);
        Assert.Contains("\"lossFinetuned\": null", text);
        Assert.Contains("\"groups\": [0, 0, -1, 3]", text);
        var back = ReductionFile.Parse(text);
        Assert.Null(back.LossFinetuned);
        Assert.Null(back.FineTuneSteps);
        Assert.Equal(double.PositiveInfinity, back.LossReduced);
        Assert.Equal([0, 0, -1, 3], back.Groups);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"layer\": \"hidden\"}")]
    public void AMalformedReductionJsonIsAFormatErrorNamingTheFile(string text)
    {
        var error = Assert.Throws<FormatException>(() => ReductionFile.Parse(text, "run/reduction.json"));
        Assert.StartsWith("run/reduction.json: not a valid reduction result", error.Message);
    }

    [Fact]
    public void TheReportShowsWidthsLossesAndAgreementFromReductionJsonAlone()
    {
        using var dir = new TempDirectory();
        ReductionFile.Write(dir.Path, Reduced);

        // Nothing else in the folder: `cond report` rebuilds the section from reduction.json alone.
        var html = HtmlReport.Render(dir.Path, []);
        var section = Section(html);
        Assert.Contains("<a href=\"#reduction\">Reduction</a>", html);
        Assert.Contains("<code>hidden</code> reduced from <strong>50</strong> to <strong>4</strong> neurons", section);
        Assert.Contains("2 static and 3 negligible neurons", section);
        Assert.Contains("<tr><td>trained</td><td class=\"num\">50</td><td class=\"num\">0.0002</td><td class=\"num\">—</td></tr>", section);
        Assert.Contains("<tr><td>reduced</td><td class=\"num\">4</td><td class=\"num\">0.005</td><td class=\"num\">92.5 %</td></tr>", section);
        Assert.Contains("<tr><td>fine-tuned (500 steps)</td><td class=\"num\">4</td><td class=\"num\">0.0001</td><td class=\"num\">100 %</td></tr>", section);
        Assert.Contains("the 40 training points", section);
        Assert.Contains("0.01 × max |f(x)| = 0.008", section);
    }

    [Fact]
    public void WithoutFineTuningTheSectionSaysSo()
    {
        using var dir = new TempDirectory();
        ReductionFile.Write(dir.Path, Reduced with { FineTuneSteps = null, LossFinetuned = null, AgreementFinetuned = null });
        var section = Section(HtmlReport.Render(dir.Path, []));
        Assert.Contains("not fine-tuned", section);
        Assert.DoesNotContain("fine-tuned (", section);
    }

    [Fact]
    public void ARunWithoutReductionHasNoSectionAndAMalformedFileShowsItsProblem()
    {
        using var dir = new TempDirectory();
        SyntheticRun.Create(dir.Path);
        var html = HtmlReport.Render(dir.Path, []);
        Assert.DoesNotContain("id=\"reduction\"", html);
        Assert.DoesNotContain("href=\"#reduction\"", html);

        File.WriteAllText(ReductionFile.PathIn(dir.Path), "{ broken");
        var section = Section(HtmlReport.Render(dir.Path, []));
        Assert.Contains("not a valid reduction result", section);
    }

    private static string Section(string html)
    {
        var start = html.IndexOf("<section id=\"reduction\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "no reduction section");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }
}
