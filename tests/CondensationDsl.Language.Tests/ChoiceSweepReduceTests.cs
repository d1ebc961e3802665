using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Language.Tests;

/// <summary>Word-valued lets (activations), tuple sweep axes, conditional expectations and the reduce statement.</summary>
public class ChoiceSweepReduceTests
{
    private const string Experiment = """
        experiment t "T"
        let act = tanh
        let lr = 1e-3
        data train = grid(-1, 1, points: 8) {
          target relu(x)
        }
        model net {
          input 1
          dense hidden(6, act)
          dense out(1, bias: false)
          init normal(std: 0.1)
        }
        train { loss mse; optimizer adam(lr: lr); epochs 10 }
        observe every 5 { loss; clusters hidden (threshold: 0.8, signed: false); cosine hidden outputs on train 8 }
        {TAIL}
        """;

    private static CompilationResult Emit(string tail) => Compiler.Emit("t.cond", Experiment.Replace("{TAIL}", tail));

    private static ExperimentInfo InfoOf(CompilationResult result)
    {
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        return RoslynHost.Instantiate(RoslynHost.Compile(result.CSharpSource!).Assembly!, result.ClassName!).Info;
    }

    [Fact]
    public void AWordLetIsAChoiceParameterTheLayerReads()
    {
        var result = Emit("");
        var info = InfoOf(result);
        var act = info.Parameters.Single(p => p.Name == "act");
        Assert.Equal(ParameterType.Choice, act.Type);
        Assert.Equal("tanh", act.Format(act.DefaultValue!.Value));
        Assert.Equal((double)Activation.Tanh, act.DefaultValue);
        Assert.Equal(Enum.GetNames<Activation>().Select(n => n.ToLowerInvariant()), act.Choices);
        Assert.True(act.TryParse("x2tanh", out var index));
        Assert.Equal((double)Activation.X2Tanh, index);
        Assert.False(act.TryParse("tahn", out _));
        Assert.Contains("Activation act = ctx.ChoiceOr(\"act\", Activation.Tanh);", result.CSharpSource);
        Assert.Contains("new(\"hidden\", LayerKind.Dense, Fn.ToCount(6.0, \"width of layer hidden\"), act,", result.CSharpSource);
        Assert.Contains("new CosineOutputsMeasure(\"hidden\", data, Fn.ToCount(8.0, \"points of cosine hidden outputs\"))", result.CSharpSource);
    }

    [Fact]
    public void ATupleAxisGivesItsLetsTheirValuesTogether()
    {
        var info = InfoOf(Emit("sweep { (act, lr) in [(tanh, 1e-3), (xtanh, 2e-3)]; seed in 1..2 }"));
        Assert.Equal(2, info.Sweep.Count);
        Assert.Equal(new[] { "act", "lr" }, info.Sweep[0].Names);
        Assert.Equal(new[] { (double)Activation.Tanh, 1e-3 }, info.Sweep[0].Points[0]);
        Assert.Equal(new[] { (double)Activation.XTanh, 2e-3 }, info.Sweep[0].Points[1]);
    }

    [Fact]
    public void AConditionLimitsAnExpectationToTheCellsItNames()
    {
        var info = InfoOf(Emit("sweep { act in [tanh, relu] }\nexpect largest_cluster(hidden) at end >= 0.9 where act in [tanh]"));
        var expectation = Assert.Single(info.Expectations);
        Assert.Equal("largest_cluster.hidden", expectation.Metric);
        Assert.True(expectation.AppliesTo(new Dictionary<string, double> { ["act"] = (double)Activation.Tanh }));
        Assert.False(expectation.AppliesTo(new Dictionary<string, double> { ["act"] = (double)Activation.Relu }));
        Assert.False(expectation.AppliesTo(new Dictionary<string, double>()));
    }

    [Fact]
    public void AConditionOfSeveralTestsNeedsThemAll()
    {
        var info = InfoOf(Emit("sweep { (act, lr) in [(tanh, 1e-3), (tanh, 2e-3), (relu, 1e-3)] }\nexpect loss at end < 10 where act in [tanh], lr in [1e-3]"));
        var expectation = Assert.Single(info.Expectations);
        Assert.Equal(2, expectation.When!.Count);
        Assert.True(expectation.AppliesTo(new Dictionary<string, double> { ["act"] = (double)Activation.Tanh, ["lr"] = 1e-3 }));
        Assert.False(expectation.AppliesTo(new Dictionary<string, double> { ["act"] = (double)Activation.Tanh, ["lr"] = 2e-3 }));
        Assert.False(expectation.AppliesTo(new Dictionary<string, double> { ["act"] = (double)Activation.Relu, ["lr"] = 1e-3 }));
    }

    [Fact]
    public void ReduceWithAFineTuningBlockEmitsAReductionSpec()
    {
        var result = Emit("""
            reduce hidden (threshold: 0.95)
            train { loss mse; optimizer gd(lr: 0.05); epochs 20 }
            expect reduced_width(hidden) at end <= 3
            expect finetuned_agreement(hidden) at end >= 0.99
            """);
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        var src = result.CSharpSource!;
        Assert.Contains("var fineTuning = new TrainingSpec(", src);
        Assert.Contains("new GdSpec(0.05),", src);
        Assert.Contains("Threshold: 0.95,", src);
        Assert.Contains("NegligibleFraction: 0.001,", src);
        Assert.Contains("FineTune: fineTuning,", src);
        Assert.Contains("AgreementTolerance: 0.01);", src);
        Assert.Contains("Trainer.Run(ctx, model, data, training, observations, reduction);", src);
        Assert.Contains("new(\"reduction.width_after\", null, ComparisonOperator.LessOrEqual, 3.0,", src);
        Assert.Contains("new(\"reduction.agreement_finetuned\", null, ComparisonOperator.GreaterOrEqual, 0.99,", src);
    }

    [Fact]
    public void AnAntisymmetricInitIsPassedToTheModel()
    {
        var result = Compiler.Emit("t.cond", Experiment.Replace("init normal(std: 0.1)", "init normal(std: 0.1, antisymmetric: true)").Replace("{TAIL}", ""));
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        Assert.Contains("fanIn => 0.1,\n            Antisymmetric: true);", result.CSharpSource);
        Assert.True(RoslynHost.Compile(result.CSharpSource!).Assembly is not null);
    }

    [Fact]
    public void ReduceWithoutFineTuningPassesNoTrainingSpec()
    {
        var result = Emit("reduce hidden");
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        Assert.Contains("FineTune: null,", result.CSharpSource);
        Assert.Contains("Threshold: 0.9,", result.CSharpSource);
    }

    [Fact]
    public void ChoiceValuesAreCheckedPerSweepCell()
    {
        // --set act=5 (xtanh) is a valid choice index; an index outside the words is not something the CLI produces,
        // but the checker must still accept every index it does produce.
        var text = Experiment.Replace("{TAIL}", "");
        Assert.Empty(Compiler.CheckValues("t.cond", text, new Dictionary<string, double> { ["act"] = (double)Activation.XTanh }));
    }
}
