using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Language.Tests;

/// <summary>
/// `resnet18(width: k, classes: n)` as a model line, `batchnorm b(activation, momentum: m)` as a layer, and layer references
/// inside a network (`layer4.1.conv2`) or by position (`first conv`, `last conv`) in measures and expect clauses: checked,
/// emitted as readable C# that compiles, with the references resolved to the runtime's layer names.
/// </summary>
public class ResNetLanguageTests
{
    private const string Head = """
        experiment rn "ResNet"

        data train = uniform(-1, 1, points: 16, dim: 64) {
          target tanh(x1 + x10 - x40)
        }

        """;

    private const string Train = """

        train {
          loss mse
          optimizer sgd(lr: 0.01, batch: 8)
          epochs 3
        }

        """;

    private static string ResNetSource(string observations) => Head + """
        model net {
          input (1, 8, 8)
          resnet18(width: 0.0625, classes: 1)
          init normal(std: sqrt(2 / fan_in))
        }
        """ + Train + observations;

    private static (CompilationResult Result, IExperimentProgram Program) Emit(string source)
    {
        var result = Compiler.Emit("rn.cond", source);
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        var compiled = RoslynHost.Compile(result.CSharpSource!);
        Assert.True(compiled.Assembly != null, string.Join("\n", compiled.Diagnostics));
        Assert.Empty(compiled.Diagnostics);
        return (result, RoslynHost.Instantiate(compiled.Assembly!, result.ClassName!));
    }

    [Fact]
    public void Resnet18_is_one_builder_call_and_references_resolve_to_its_layer_names()
    {
        var (result, program) = Emit(ResNetSource("""
            observe every 1 { loss; cosine first conv; cosine last conv; cosine last conv outputs on train 8; reldis layer2.0.shortcut.conv; cosine fc }

            expect aligned(last conv) at end >= 0
            expect aligned_outputs(layer4.1.conv2) at end >= 0
            expect reldis(layer2.0.shortcut.conv) at 2 > 0
            expect aligned(first conv) at end <= 1
            """));
        var source = result.CSharpSource!;
        Assert.Contains("CondensationDsl.Runtime.Model.ResNet.Layers18(width: 0.0625, classes: Fn.ToCount(1.0, \"classes of resnet18\")),", source, StringComparison.Ordinal);
        Assert.DoesNotContain("LayerKind.Conv", source, StringComparison.Ordinal);
        Assert.Contains("new CosineMeasure(\"conv1\"", source, StringComparison.Ordinal);
        Assert.Contains("\"layer4.1.conv2\"", source, StringComparison.Ordinal);
        Assert.DoesNotContain("first conv\"", source, StringComparison.Ordinal);
        Assert.Equal(
            ["aligned.layer4.1.conv2", "aligned_outputs.layer4.1.conv2", "reldis.layer2.0.shortcut.conv", "aligned.conv1"],
            program.Info.Expectations.Select(e => e.Metric));
    }

    [Fact]
    public void Batchnorm_layers_follow_conv_and_dense_layers()
    {
        var (result, _) = Emit(Head + """
            model net {
              input (1, 8, 8)
              conv c1(4, kernel: 3, padding: 1, bias: false)
              batchnorm b1(relu)
              flatten
              dense h(10)
              batchnorm b2(tanh, momentum: 0.3)
              dense out(1)
              init normal(std: 0.1)
            }
            """ + Train + "observe every 1 { loss; cosine first conv; cosine h }\n");
        var source = result.CSharpSource!;
        Assert.Contains("new(\"b1\", LayerKind.BatchNorm, Fn.ToCount(4.0, \"width of layer b1\"), Activation.Relu, Bias: true, InitStd: null),", source, StringComparison.Ordinal);
        Assert.Contains("LayerKind.BatchNorm, Fn.ToCount(10.0, \"width of layer b2\"), Activation.Tanh, Bias: true, InitStd: null) { Momentum = 0.3 },", source, StringComparison.Ordinal);
        Assert.Contains("new CosineMeasure(\"c1\"", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("observe every 1 { cosine layer4.1.conv3 }", "COND0107", "Did you mean \"layer4.1.conv")]
    [InlineData("observe every 1 { clusters last conv }", "COND0308", "layer4.1.conv2 is a convolution layer")]
    [InlineData("observe every 1 { reldis avgpool }", "COND0307", "avgpool is a pooling layer")]
    [InlineData("observe every 1 { reldis bn1 }", "COND0307", "bn1 is a batch normalization")]
    [InlineData("expect reldis(layer3.0) at end > 0", "COND0307", "layer3.0 is a residual block")]
    public void Bad_references_into_a_resnet_are_explained(string line, string code, string message)
    {
        var result = Compiler.Check("rn.cond", ResNetSource(line));
        var rendered = result.RenderDiagnostics();
        Assert.Contains(code, rendered, StringComparison.Ordinal);
        Assert.Contains(message, rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Resnet18_is_the_whole_network()
    {
        var source = Head + """
            model net {
              input (1, 8, 8)
              resnet18(width: 0, classes: 1)
              dense out(1)
              init normal(std: 0.1)
            }
            """ + Train;
        var rendered = Compiler.Check("rn.cond", source).RenderDiagnostics();
        Assert.Contains("resnet18(…) is the whole network", rendered, StringComparison.Ordinal);
        Assert.Contains("The width multiplier of resnet18", rendered, StringComparison.Ordinal);
    }
}
