namespace CondensationDsl.Language.Tests;

/// <summary>Image models the checker must accept and emit (shapes flow through conv, pool, flatten and batch norm).</summary>
public class ImageModelTests
{
    private const string Experiment = """
        experiment t "T"
        data train = uniform(-1, 1, points: 32, dim: 16) {
          target relu(x1)
        }
        model net {
          input (1, 4, 4)
          {LAYERS}
          init normal(std: 0.1)
        }
        train { loss mse; optimizer adam(lr: 1e-3, batch: 8); epochs 2 }
        """;

    [Theory]
    [InlineData("conv c1(4, relu, padding: 1); flatten; batchnorm b1(relu); dense out(1)")]
    [InlineData("conv c1(4, relu, padding: 1); batchnorm b1(relu); maxpool p1(2); flatten; dense out(1)")]
    [InlineData("conv c1(4, relu, stride: 2); avgpool p1(global); flatten; dense hidden(3, tanh); dense out(1)")]
    public void Image_layers_check_emit_and_compile(string layers)
    {
        var result = Compiler.Emit("t.cond", Experiment.Replace("{LAYERS}", layers.Replace("; ", "\n  ")));
        Assert.False(result.HasErrors, result.RenderDiagnostics());
        Assert.NotNull(RoslynHost.Compile(result.CSharpSource!).Assembly);
    }
}
