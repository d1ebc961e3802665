using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Language.Tests;

/// <summary>Every example and benchmark file: golden C#, compiles with Roslyn, Info as declared, deterministic.</summary>
public class EmitTests
{
    /// <summary>examples/*.cond and tools/bench/*.cond, discovered (a new example is covered without touching this file).</summary>
    public static IEnumerable<object[]> Examples() =>
        new[] { "examples", Path.Combine("tools", "bench") }
            .Select(d => Path.Combine(Baseline.RepoRoot, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "*.cond"))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new object[] { Path.GetRelativePath(Baseline.RepoRoot, p) });

    private static CompilationResult EmitExample(string relativePath)
    {
        var path = Path.Combine(Baseline.RepoRoot, relativePath);
        var result = Compiler.Emit(relativePath, File.ReadAllText(path));
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        Assert.Empty(result.Diagnostics);
        return result;
    }

    [Fact]
    public void ExamplesAreDiscovered() =>
        Assert.Contains(Examples(), e => ((string)e[0]).EndsWith("fig1_relu_1d.cond", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Examples))]
    public void EmittedSourceMatchesBaseline(string example)
    {
        var result = EmitExample(example);
        var name = Path.GetFileNameWithoutExtension(example);
        Baseline.Verify(Path.Combine(Baseline.BaselinesRoot, "emit", name, "Experiment.verified.cs"), result.CSharpSource!);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void EmittedSourceCompilesWithoutWarnings(string example)
    {
        var result = EmitExample(example);
        var compiled = RoslynHost.Compile(result.CSharpSource!);
        Assert.True(compiled.Assembly != null, string.Join("\n", compiled.Diagnostics));
        Assert.Empty(compiled.Diagnostics);
        var program = RoslynHost.Instantiate(compiled.Assembly!, result.ClassName!);
        Assert.Equal(result.ExperimentName, program.Info.Name);
        Assert.Equal(Path.GetFileName(example), program.Info.SourceFile);
        Assert.Equal(Compiler.SourceSha256(File.ReadAllText(Path.Combine(Baseline.RepoRoot, example))), program.Info.SourceSha256);
        Assert.Contains(program.Info.Parameters, p => p.Name == "seed" && p.Type == ParameterType.Integer);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void EmitIsDeterministicAndIgnoresTheFolder(string example)
    {
        var text = File.ReadAllText(Path.Combine(Baseline.RepoRoot, example));
        var a = Compiler.Emit("/some/where/" + Path.GetFileName(example), text).CSharpSource;
        var b = Compiler.Emit(Path.Combine("elsewhere", Path.GetFileName(example)), text).CSharpSource;
        Assert.NotNull(a);
        Assert.Equal(a, b);
        Assert.DoesNotContain("/some/where", a);
    }

    [Fact]
    public void Fig1InfoDeclaresParametersExpectationsAndColumns()
    {
        var result = EmitExample(Path.Combine("examples", "fig1_relu_1d.cond"));
        var program = RoslynHost.Instantiate(RoslynHost.Compile(result.CSharpSource!).Assembly!, result.ClassName!);
        var info = program.Info;
        Assert.Equal("Fig1Relu1dExperiment", result.ClassName);
        Assert.Equal("Condensation grows during training", info.Title);
        Assert.Collection(info.Parameters,
            p => Assert.Equal(new ParameterDeclaration("m", ParameterType.Integer, 100, "100"), p),
            p => Assert.Equal(new ParameterDeclaration("gamma", ParameterType.Real, 4, "4.0"), p),
            p => Assert.Equal(new ParameterDeclaration("seed", ParameterType.Integer, 1, "1"), p));
        Assert.Empty(info.Sweep);
        Assert.Collection(info.Expectations,
            e =>
            {
                Assert.Equal("clusters.hidden", e.Metric);
                Assert.Equal(1000L, e.AtStep);
                Assert.Equal(ComparisonOperator.LessOrEqual, e.Operator);
                Assert.Equal(2, e.Value);
                Assert.Equal("clusters(hidden) at 1000 <= 2", e.SourceText);
            },
            e =>
            {
                Assert.Null(e.AtStep);
                Assert.Equal(ComparisonOperator.GreaterOrEqual, e.Operator);
            },
            e =>
            {
                Assert.Equal("loss", e.Metric);
                Assert.Null(e.AtStep);
                Assert.Equal(ComparisonOperator.Less, e.Operator);
                Assert.Equal(1e-3, e.Value);
            });
    }
}
