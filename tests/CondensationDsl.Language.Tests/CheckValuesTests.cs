namespace CondensationDsl.Language.Tests;

/// <summary>
/// Compiler.CheckValues: the value and range checks redone with lets replaced, as the CLI does before running a
/// --set run or a sweep cell.
/// </summary>
public class CheckValuesTests
{
    private const string Experiment = """
        experiment t "T"
        let m = 10
        let r = 0.1
        let k = m - 4
        data train = grid(-1, 1, points: 8) {
          target relu(x)
        }
        model net {
          input 1
          dense hidden(m, relu)
          dense mid(k, relu)
          dense out(1)
          init normal(std: 0.1)
        }
        train { loss mse; optimizer gd(lr: r); epochs 10 }
        observe every 5 { loss }
        """;

    private static Diagnostic[] Check(params (string Name, double Value)[] values) =>
        Compiler.CheckValues("t.cond", Experiment, values.ToDictionary(v => v.Name, v => v.Value));

    private static Diagnostic Single(params (string Name, double Value)[] values)
    {
        var diagnostics = Check(values);
        var d = Assert.Single(diagnostics);
        Assert.True(d.IsError);
        return d;
    }

    [Fact]
    public void TheDefaultsPass() => Assert.False(Compiler.Check("t.cond", Experiment).HasErrors);

    [Fact]
    public void AValidOverrideHasNoDiagnostics() => Assert.Empty(Check(("m", 20), ("r", 0.5), ("seed", 3)));

    [Fact]
    public void NoValuesHaveNoDiagnostics() => Assert.Empty(Check());

    [Fact]
    public void ZeroWidthNamesTheOverrideAndPointsAtTheUse()
    {
        var d = Single(("m", 0), ("k", 6));
        Assert.Equal(DiagnosticCodes.NotWholeCount, d.Code);
        Assert.Equal("The width of layer hidden must be a whole number ≥ 1, but with m = 0 it is 0.", d.Message);
        Assert.Equal(10, d.Line);
        Assert.Equal(16, d.Column);
    }

    [Fact]
    public void AHugeWidthIsTooLargeForOneArray()
    {
        // hidden has 1e9 × 8 activations and mid 6 × 1e9 weights: both are reported, both blame m.
        var diagnostics = Check(("m", 1e9), ("k", 6));
        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticCodes.ValueOutOfRange, d.Code));
        Assert.All(diagnostics, d => Assert.Contains("m = 1000000000", d.Message));
    }

    [Fact]
    public void ANegativeLearningRateLetIsRejected()
    {
        var d = Single(("r", -0.5));
        Assert.Equal(DiagnosticCodes.NonPositiveLearningRate, d.Code);
        Assert.Equal("The learning rate must be > 0, but with r = -0.5 it is -0.5. Use e.g. lr: 0.1.", d.Message);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(1.5)]
    public void ASeedMustBeAWholeNumberAtLeastZero(double seed)
    {
        var d = Single(("seed", seed));
        Assert.Equal(DiagnosticCodes.NotWholeCount, d.Code);
        Assert.Contains($"with seed = {seed.ToString(System.Globalization.CultureInfo.InvariantCulture)}", d.Message);
    }

    [Fact]
    public void ADerivedLetIsRecomputedFromTheOverride()
    {
        // k = m - 4: m = 4 is a fine width for hidden, but makes mid 0 wide.
        var d = Single(("m", 4));
        Assert.Equal(DiagnosticCodes.NotWholeCount, d.Code);
        Assert.Equal("The width of layer mid must be a whole number ≥ 1, but with m = 4 it is 0.", d.Message);
        Assert.Equal(11, d.Line);
    }

    [Fact]
    public void OverridingADerivedLetNamesIt()
    {
        var d = Single(("k", 0.5));
        Assert.Equal("The width of layer mid must be a whole number ≥ 1, but with k = 0.5 it is 0.5.", d.Message);
    }

    [Fact]
    public void UnknownNamesAreIgnored() => Assert.Empty(Check(("nope", -1), ("x", 0), ("fan_in", 0)));

    [Fact]
    public void ASyntaxErrorIsReturnedNotThrown()
    {
        var diagnostics = Compiler.CheckValues("t.cond", "experiment", new Dictionary<string, double> { ["m"] = 1 });
        Assert.NotEmpty(diagnostics);
        Assert.DoesNotContain(diagnostics, d => d.Code == DiagnosticCodes.InternalCompilerError);
    }

    [Fact]
    public void TheSameMeasureWithTheSameOptionsInTwoSchedulesIsFine()
    {
        var text = Experiment + "\nobserve every 5 { clusters hidden (threshold: 0.99) }\nobserve at [10] { clusters hidden (threshold: 0.990, signed: true) }\n";
        var result = Compiler.Check("t.cond", text);
        Assert.False(result.HasErrors, result.RenderDiagnostics());
    }

    [Fact]
    public void ABigSweepGridIsCheckedQuickly()
    {
        // 100 × 100 cells: the full product is checked (at the cap), and must stay fast enough for cond check.
        var values = string.Join(", ", Enumerable.Range(1, 100));
        var text = Experiment + $"\nsweep {{ m in [{values}]; r in [{string.Join(", ", Enumerable.Range(1, 100).Select(i => i / 100.0))}] }}\n";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = Compiler.Check("t.cond", text);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        // m = 1..4 make mid (m - 4 wide) too narrow: one error per offending sweep value.
        Assert.Equal(4, result.Diagnostics.Count(d => d.Code == DiagnosticCodes.NotWholeCount));
    }
}
