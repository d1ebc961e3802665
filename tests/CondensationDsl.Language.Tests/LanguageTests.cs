using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Language.Tests;

/// <summary>Expressions, emitted C# shape, the code table, suggestions and the diagnostic formats.</summary>
public class LanguageTests
{
    private const string Skeleton = """
        experiment t "T"
        {LETS}
        data train = grid(-1, 1, points: 8) {
          target {TARGET}
        }
        model net {
          input 1
          dense hidden(4, relu)
          dense out(1)
          init normal(std: 0.1)
        }
        train { loss mse; optimizer gd(lr: 0.1); epochs 10 }
        observe every 5 { loss }
        """;

    private static CompilationResult Emit(string target, string lets = "") =>
        Compiler.Emit("t.cond", Skeleton.Replace("{TARGET}", target).Replace("{LETS}", lets));

    private static string TargetCode(string target)
    {
        var result = Emit(target);
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        var line = result.CSharpSource!.Split('\n').Single(l => l.Contains("Target_train(ReadOnlySpan<double> x) =>"));
        return line[(line.IndexOf("=>", StringComparison.Ordinal) + 3)..^1];
    }

    [Theory]
    [InlineData("-x^2", "-Fn.Pow(x[0], 2.0)")]
    [InlineData("2^3^2", "Fn.Pow(2.0, Fn.Pow(3.0, 2.0))")]
    [InlineData("x^-2", "Fn.Pow(x[0], -2.0)")]
    [InlineData("1 - (x - 1)", "1.0 - (x[0] - 1.0)")]
    [InlineData("(1 - x) - 1", "1.0 - x[0] - 1.0")]
    [InlineData("1/3*x", "1.0 / 3.0 * x[0]")]
    [InlineData("1/(3*x)", "1.0 / (3.0 * x[0])")]
    [InlineData("- -x", "-(-x[0])")]
    [InlineData("-(x + 1)", "-(x[0] + 1.0)")]
    [InlineData("sin(pi*x) + 1e-3", "Fn.Sin(Math.PI * x[0]) + 0.001")]
    [InlineData("sigmoid(x) * softplus(x) / sqrt(abs(x) + exp(log(2)))", "Fn.Sigmoid(x[0]) * Fn.Softplus(x[0]) / Fn.Sqrt(Fn.Abs(x[0]) + Fn.Exp(Fn.Log(2.0)))")]
    [InlineData("0.1 + 1e20 + 12345678901234567890", "0.1 + 1E+20 + 1.2345678901234567E+19")]
    public void ExpressionsKeepTheirMeaning(string target, string csharp) => Assert.Equal(csharp, TargetCode(target));

    [Fact]
    public void ExpressionValuesMatchTheSourceMeaning()
    {
        // -x^2 is -(x^2) (mathematical convention), and the emitted method computes it.
        var result = Emit("-x^2 + 2^3^2 / 512 - 1/3");
        var compiled = RoslynHost.Compile(result.CSharpSource!);
        var method = compiled.Assembly!.GetType("CondensationDsl.Generated.TExperiment")!
            .GetMethod("Target_train", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var f = (TargetFunction)Delegate.CreateDelegate(typeof(TargetFunction), method);
        Assert.Equal(-9.0 + 1.0 - 1.0 / 3.0, f(new[] { 3.0 }), 12);
    }

    [Fact]
    public void LetsBecomeOverridableParametersInSourceOrder()
    {
        var result = Emit("x", "let m = 100\nlet width = 2*m\nlet third = 1/3\nlet seed = 7\nsweep { seed in 1..3; m in [10, 20] }");
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        var src = result.CSharpSource!;
        Assert.Contains("double m = ctx.ParameterOr(\"m\", 100.0);", src);
        Assert.Contains("double width = ctx.ParameterOr(\"width\", 2.0 * m);", src);
        Assert.Contains("double seed = ctx.ParameterOr(\"seed\", 7.0);", src);
        Assert.DoesNotContain("RunContext.DefaultSeed", src);
        var info = RoslynHost.Instantiate(RoslynHost.Compile(src).Assembly!, result.ClassName!).Info;
        Assert.Equal(new[] { "m", "width", "third", "seed" }, info.Parameters.Select(p => p.Name));
        Assert.Null(info.Parameters[1].DefaultValue);
        Assert.Equal(ParameterType.Real, info.Parameters[2].Type);
        Assert.Equal(1.0 / 3.0, info.Parameters[2].DefaultValue);
        Assert.Equal(new double[] { 1, 2, 3 }, info.Sweep[0].Points.Select(point => Assert.Single(point)));
        Assert.Equal(new double[] { 10, 20 }, info.Sweep[1].Points.Select(point => Assert.Single(point)));
    }

    [Fact]
    public void NoInputCanInjectCode()
    {
        // Names that are C# keywords or the emitter's own locals, a title full of quotes, braces and line breaks.
        var text = """
            experiment class "\"); System.Environment.Exit(3); /* \\ */ //"
            let ctx = 3
            let model = ctx + 1
            let model_ = 2
            let @x = 1
            """;
        var bad = Compiler.Emit("evil\n\"/*.cond", text);
        Assert.True(bad.HasErrors); // "@x" is not a name
        var good = Compiler.Emit("evil\n\");/*.cond", text.Replace("let @x = 1\n", "").Replace("let @x = 1", "") + """

            let double = model * model_
            data train = grid(-1, 1, points: 8) { target x }
            model net { input 1; dense hidden(double, relu); dense out(1); init normal(std: 0.1) }
            train { loss mse; optimizer gd(lr: 0.1); epochs 10 }
            observe every 5 { loss }
            """);
        Assert.False(good.HasErrors, good.RenderDiagnostics());
        var src = good.CSharpSource!;
        var compiled = RoslynHost.Compile(src);
        Assert.True(compiled.Assembly != null, string.Join("\n", compiled.Diagnostics));
        Assert.DoesNotContain("System.Environment.Exit(3); /*", src.Replace("\\\"); System.Environment.Exit(3); /* \\\\ */ //", ""));
        Assert.Contains("double ctx_ = ctx.ParameterOr(\"ctx\", 3.0);", src);
        Assert.Contains("double model_ = ctx.ParameterOr(\"model\", ctx_ + 1.0);", src);
        Assert.Contains("double model__ = ctx.ParameterOr(\"model_\", 2.0);", src);
        Assert.Contains("double @double = ctx.ParameterOr(\"double\", model_ * model__);", src);
        var info = RoslynHost.Instantiate(compiled.Assembly!, good.ClassName!).Info;
        Assert.Equal("\"); System.Environment.Exit(3); /* \\ */ //", info.Title);
        Assert.Equal("ClassExperiment", good.ClassName);
    }

    [Fact]
    public void CodeTableIsUniqueAndComplete()
    {
        var codes = DiagnosticCodes.All.Select(d => d!.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^COND[0-9]{4}$", c));
        var constants = typeof(DiagnosticCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(constants.OrderBy(c => c), codes.OrderBy(c => c));
    }

    [Theory]
    [InlineData("dens", "dense")]
    [InlineData("rleu", "relu")]
    [InlineData("gama", "gamma")]
    [InlineData("Gamma", "gamma")]
    [InlineData("zzzzzz", null)]
    [InlineData("x", null)]
    public void SuggestFindsCloseNamesOnly(string name, string? expected) =>
        Assert.Equal(expected, Suggest.Closest(name, new[] { "dense", "relu", "gamma", "m" }));

    [Fact]
    public void DiagnosticFormats()
    {
        var result = Compiler.Check("dir/f.cond", Skeleton.Replace("{TARGET}", "x").Replace("{LETS}", "").Replace("dense hidden", "dens hidden"));
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("COND0102", d.Code);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal((8, 3, 4), (d.Line, d.Column, d.Length));
        Assert.Equal("dir/f.cond(8,3): error COND0102: Unknown layer kind \"dens\". Did you mean \"dense\"? The layer kinds are dense hidden(width, activation, bias: true), dropout hidden(keep: p), conv hidden(filters, activation, kernel: 3, stride: 1, padding: 0), maxpool hidden(size) and avgpool hidden(size) (or (global)), batchnorm hidden(activation, momentum: 0.1); a whole network: resnet18(width: 1, classes: 10).", d.ToMsBuildFormat());
        Assert.EndsWith("\n 8 |   dens hidden(4, relu)\n   |   ^^^^", d.Render(result.Diagnostics.Length == 1 ? Skeleton.Replace("{TARGET}", "x").Replace("{LETS}", "").Replace("dense hidden", "dens hidden") : null));
        Assert.Null(result.CSharpSource);
        Assert.Equal("TExperiment", result.ClassName);
    }

    [Fact]
    public void HostDiagnosticsUseTheTable()
    {
        var unknown = HostDiagnostics.UnknownParameter("f.cond", "gama", new[] { "m", "gamma", "seed" });
        Assert.Equal("f.cond: error COND0903: --set names unknown parameter \"gama\". Did you mean \"gamma\"? Settable parameters: m, gamma, seed.", unknown.ToMsBuildFormat());
        Assert.Equal(DiagnosticCodes.FileNotFound, HostDiagnostics.FileNotFound("x.cond").Code);
        Assert.Equal(DiagnosticCodes.UnknownDevice, HostDiagnostics.UnknownDevice("cdua", new[] { "auto", "cpu", "cuda" }).Code);
        Assert.Contains("Did you mean \"cuda\"?", HostDiagnostics.UnknownDevice("cdua", new[] { "auto", "cpu", "cuda" }).Message);
        Assert.Equal(DiagnosticCodes.IllTypedParameter, HostDiagnostics.IllTypedParameter("f.cond", "m", "abc", "integer").Code);
        Assert.Equal(DiagnosticCodes.InternalCompilerError, HostDiagnostics.InternalCompilerError("E.cs", 3, 4, "CS0103").Code);
        var missing = Compiler.EmitFile("/no/such/file.cond");
        Assert.Equal(DiagnosticCodes.FileNotFound, Assert.Single(missing.Diagnostics).Code);
    }

    [Fact]
    public void PerLayerInitAndOtherOptimizersEmit()
    {
        var text = """
            experiment opts "Options"
            let m = 20
            data d = uniform(-4, 2, points: 80, dim: 5) { target 3.5*sin(5*x1 + 1) + 3.5*sin(5*x5 + 1) }
            model net {
              input 5
              dense h(m, x2tanh, init: normal(std: 1/sqrt(fan_in)))
              dense o(1, linear, bias: false, init: normal(std: 0.005))
            }
            train { loss mse; optimizer sgd(lr: 1e-3, batch: 16); steps 100; until loss < 1e-6 }
            observe every 10 { loss; cosine h; clusters h (threshold: 0.7, signed: false, negligible: 0.01, mass: 0.95); reldis h }
            observe at [0, 50] { cosine o }
            expect loss at end < 10
            expect effective_width(h) at 50 >= 1
            expect static(h) at 0 == 0
            """;
        var result = Compiler.Emit("opts.cond", text);
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        var compiled = RoslynHost.Compile(result.CSharpSource!);
        Assert.True(compiled.Assembly != null, string.Join("\n", compiled.Diagnostics));
        Assert.Empty(compiled.Diagnostics);
        var src = result.CSharpSource!;
        Assert.Contains("InitStd: fanIn => 1.0 / Fn.Sqrt((double)fanIn)", src);
        Assert.Contains("static _ => double.NaN", src);
        Assert.Contains("new UniformDataSpec(\"d\", -4.0, 2.0, Fn.ToCount(80.0, \"points of data d\"), 5, Target_d)", src);
        Assert.Contains("new SgdSpec(0.001, Fn.ToCount(16.0, \"batch\"))", src);
        Assert.Contains("StopBelowLoss: 1E-06", src);
        Assert.Contains("Fn.Sin(5.0 * x[4] + 1.0)", src);
        var info = RoslynHost.Instantiate(compiled.Assembly!, result.ClassName!).Info;
        Assert.Equal(new[] { "loss", "effective_width.h", "static.h" }, info.Expectations.Select(e => e.Metric));
    }
}
