using CondensationDsl.Analysis;
using CondensationDsl.Reporting.Figures;
using CondensationDsl.Reporting.Sweep;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Tests.Sweep;

/// <summary>The phase diagram of a sweep (figure 5) from cell folders written by the real RunFolder: slopes, CSV, figure, sweep-level expectations.</summary>
public sealed class PhaseDiagramTests : IDisposable
{
    private static readonly PhaseDiagramSpec Spec = new("gamma", "gamma_prime", "m", "hidden");
    private static readonly double[] Widths = [1000, 2000, 4000, 8000];

    private readonly TempDirectory root = new();
    private int cellCount;

    public void Dispose() => root.Dispose();

    /// <summary>A cell run through RunFolder: parameters in run.json, RelDis of layer hidden as the last metrics row.</summary>
    /// <param name="act">A choice parameter `act`, as run.json records it: by its word (its index, 0 or 1, in the run).</param>
    private string Cell(double gamma, double gammaPrime, double m, int seed, double relDis, RunStatus status = RunStatus.Completed, string? act = null)
    {
        var directory = Path.Combine(root.Path, $"cell-{cellCount++:D3}");
        using var run = RunFolder.At(directory, "phase");
        var parameters = new Dictionary<string, double> { ["gamma"] = gamma, ["gamma_prime"] = gammaPrime, ["m"] = m, ["seed"] = seed };
        if (act is not null)
        {
            parameters["act"] = act == "tanh" ? 0 : 1;
        }

        run.Start(new RunInfo("test", "cpu", (ulong)seed, parameters)
        {
            GitCommit = "none",
            ParameterWords = act is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["act"] = act },
        });
        run.BeginMetrics(["loss", "reldis.hidden"]);
        run.AppendMetrics(0, 0, [1.0, 0.0]);
        run.AppendMetrics(100, 100, [0.01, relDis]);
        if (status == RunStatus.Completed)
        {
            run.Complete();
        }
        else
        {
            run.Fail(status, "loss became NaN");
        }

        return directory;
    }

    /// <summary>RelDis = c·m^s at every width for two seeds with different c.</summary>
    private IEnumerable<string> PowerLaw(double gamma, double gammaPrime, double s, string? act = null) =>
        Widths.SelectMany(m => new[] { Cell(gamma, gammaPrime, m, 1, 0.3 * Math.Pow(m, s), act: act), Cell(gamma, gammaPrime, m, 2, 0.7 * Math.Pow(m, s), act: act) }).ToArray();

    /// <summary>The textbook least-squares slope Σ(x − x̄)(y − ȳ) / Σ(x − x̄)², written out apart from the code under test.</summary>
    private static double HandSlope(double[] m, double[] relDis)
    {
        var x = m.Select(v => Math.Log(v)).ToArray();
        var y = relDis.Select(v => Math.Log(v)).ToArray();
        double mx = x.Average(), my = y.Average();
        return x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
    }

    private IReadOnlyList<PhaseDiagramTable.Group> Table(IEnumerable<string> cells) =>
        PhaseDiagramTable.Compute(cells.Select(SweepCell.Read).ToArray(), Spec);

    private static Expectation Slope(ComparisonOperator op, double value, params ExpectationCondition[] when) =>
        new(PhaseDiagramSpec.SlopeMetric, null, op, value, $"expect slope at end {ExpectationEvaluator.Symbol(op)} {value}", 12, when.Length == 0 ? null : when);

    [Fact]
    public void SlopePerGroupIsTheLeastSquaresSlopeOfLogRelDisAgainstLogWidth()
    {
        var groups = Table([.. PowerLaw(1.75, 0, 0.37), .. PowerLaw(0.5, 0, -0.5)]);

        Assert.Equal(2, groups.Count);
        var (linear, condensed) = (groups[0], groups[1]); // ordered by γ
        Assert.Equal(("0.5", "0"), (linear.GammaText, linear.GammaPrimeText));
        Assert.Equal(-0.5, linear.Fit.Slope, 1e-9);
        Assert.Equal(0.37, condensed.Fit.Slope, 1e-9);
        Assert.Equal(HandSlope(linear.Widths, linear.RelDis), linear.Fit.Slope, 1e-12);
        Assert.Equal((8, 0, 4), (linear.Fit.Count, linear.CellsNotCompleted, linear.WidthsUsed));
        Assert.Equal((PhaseRegime.Linear, PhaseRegime.Linear), (linear.Measured, linear.Theoretical));
        Assert.Equal((PhaseRegime.Condensed, PhaseRegime.Condensed), (condensed.Measured, condensed.Theoretical));
    }

    [Fact]
    public void FailedCellsAreCountedAndLeftOutAndOneWidthGivesNoSlope()
    {
        var failed = Cell(0.5, 0, 8000, 3, 1e6, RunStatus.Diverged); // a diverged RelDis would swing the slope far from −0.5
        string[] oneWidth = [Cell(1, 0, 1000, 1, 0.2), Cell(1, 0, 1000, 2, 0.3)];
        var groups = Table([.. PowerLaw(0.5, 0, -0.5), failed, .. oneWidth]);

        Assert.Equal(-0.5, groups[0].Fit.Slope, 1e-9);
        Assert.Equal((8, 1), (groups[0].Fit.Count, groups[0].CellsNotCompleted));
        Assert.True(double.IsNaN(groups[1].Fit.Slope));
        Assert.Equal(PhaseRegime.Undetermined, groups[1].Measured);

        var csv = PhaseDiagramTable.RenderCsv(groups).Split('\n');
        Assert.Equal("gamma,gamma_prime,slope,slope_stderr,widths_used,cells_used,cells_not_completed,measured_regime,theoretical_regime", csv[0]);
        Assert.StartsWith("0.5,0,-0.5,", csv[1]);
        Assert.EndsWith(",4,8,1,linear,linear", csv[1]);
        Assert.Equal("1,0,,,1,2,0,undetermined,critical", csv[2]);
    }

    [Fact]
    public void SummaryWritesCsvFigureAndPageSectionFromSweepJson()
    {
        string[] cells = [.. PowerLaw(0.5, 0, -0.5), .. PowerLaw(1.75, 0, 0.37), .. PowerLaw(1.5, 1, -0.2), Cell(1, 0.5, 1000, 1, 0.1), Cell(1, 0.5, 2000, 1, 0.1, RunStatus.Failed)];
        SweepSpecFile.Write(root.Path, Spec, []);
        var html = File.ReadAllText(SweepSummary.Write(root.Path, cells));

        var csv = File.ReadAllLines(Path.Combine(root.Path, SweepSummary.PhaseDiagramCsvFileName));
        Assert.Equal(5, csv.Length);
        var png = Path.Combine(root.Path, "figures", "phase_diagram.png");
        Assert.Equal((1200, 960), Reporting.Tests.Figures.ImageFiles.PngSize(png));
        var svgPath = Path.Combine(root.Path, "figures", "phase_diagram.svg");
        Reporting.Tests.Figures.ImageFiles.AssertSvg(svgPath);
        var svg = File.ReadAllText(svgPath);
        Assert.Contains("<path", svg);
        Assert.DoesNotContain("NaN", svg);
        Assert.Contains("γ′ = −log(β₁/β₂)/log m", svg);

        var section = html.IndexOf("<section id=\"phase-diagram\">", StringComparison.Ordinal);
        Assert.True(section > 0 && section < html.IndexOf("<section id=\"cells\">", StringComparison.Ordinal), "phase diagram first");
        Assert.Contains("data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(png)), html);
        Assert.Empty(root.TempFiles());
    }

    /// <summary>What `cond run` writes for every sweep: a sweep.json without a summary leaves the summary as it always was.</summary>
    [Fact]
    public void ASweepJsonWithoutAPhaseDiagramWritesNoPhaseDiagramFiles()
    {
        string[] cells = [.. PowerLaw(0.5, 0, -0.5)];
        SweepSpecFile.Write(root.Path, null, []);
        var html = File.ReadAllText(SweepSummary.Write(root.Path, cells));

        Assert.False(File.Exists(Path.Combine(root.Path, SweepSummary.PhaseDiagramCsvFileName)));
        Assert.False(Directory.Exists(Path.Combine(root.Path, "figures")));
        Assert.DoesNotContain("<section id=\"phase-diagram\">", html);
        Assert.Empty(SweepSummary.ReadSweepExpectations(root.Path));
    }

    [Fact]
    public void SweepLevelExpectationsPassFailOrMatchNothing()
    {
        var where = new[] { new ExpectationCondition("gamma", [0.5]), new ExpectationCondition("gamma_prime", [0]) };
        string[] cells = [.. PowerLaw(0.5, 0, -0.5), .. PowerLaw(1.75, 0, 0.37)];
        SweepSpecFile.Write(root.Path, Spec,
        [
            Slope(ComparisonOperator.GreaterOrEqual, -0.61, where),
            Slope(ComparisonOperator.GreaterOrEqual, -0.4, where),
            Slope(ComparisonOperator.Less, 0, new ExpectationCondition("gamma", [3])),
            new("loss", null, ComparisonOperator.Less, 1, "expect loss at end < 1", 3), // a per-run clause: not kept in sweep.json
        ]);
        SweepSummary.Write(root.Path, cells);

        var results = SweepSummary.ReadSweepExpectations(root.Path);
        Assert.Equal(3, results.Count);
        Assert.True(results[0].Passed, results[0].Message);
        Assert.Equal("S_w at γ = 0.5, γ′ = 0 = −0.5 >= −0.61 (8 cells over 4 widths; expected >= −0.61)", results[0].Message);
        Assert.Equal(-0.5, results[0].Actual!.Value, 1e-9);
        Assert.False(results[1].Passed);
        Assert.Contains("fails", results[1].Message);
        Assert.False(results[2].Passed);
        Assert.Null(results[2].Actual);
        Assert.StartsWith("no phase-diagram point matches where gamma in [3]", results[2].Message);
        Assert.Equal(PhaseDiagramSpec.SlopeMetric, results[0].Expectation.Metric);
        Assert.Contains("Sweep-level expectations", File.ReadAllText(Path.Combine(root.Path, SweepSummary.HtmlFileName)));
    }

    [Fact]
    public void A_condition_on_a_choice_parameter_selects_the_cells_with_its_word()
    {
        // `let act = tanh` (choices tanh, relu): the runs hold indices, run.json the words.
        var act = new ParameterDeclaration("act", ParameterType.Choice, 0, "tanh", ["tanh", "relu"]);
        var onRelu = Slope(ComparisonOperator.Greater, 0.3, new ExpectationCondition("act", [1])).WithChoiceWords([act]);
        Assert.Equal(["relu"], onRelu.When!.Single().Words);
        string[] cells = [.. PowerLaw(0.5, 0, -0.5, act: "tanh"), .. PowerLaw(1.75, 0, 0.37, act: "relu")];
        SweepSpecFile.Write(root.Path, Spec, [onRelu]);
        SweepSummary.Write(root.Path, cells);

        var result = Assert.Single(SweepSummary.ReadSweepExpectations(root.Path));

        Assert.True(result.Passed, result.Message);
        Assert.StartsWith("S_w at γ = 1.75, γ′ = 0 = 0.37 > 0.3", result.Message);
        Assert.Equal(["relu"], SweepSpecFile.Read(root.Path).Expectations.Single().When!.Single().Words);

        SweepSpecFile.Write(root.Path, Spec, [Slope(ComparisonOperator.Greater, 0.3, new ExpectationCondition("act", [1], ["gelu"]))]);
        SweepSummary.Write(root.Path, cells);
        Assert.StartsWith("no phase-diagram point matches where act in [gelu]", Assert.Single(SweepSummary.ReadSweepExpectations(root.Path)).Message);
    }

    [Fact]
    public void AGroupWithoutASlopeFailsItsExpectation()
    {
        SweepSpecFile.Write(root.Path, Spec, [Slope(ComparisonOperator.Greater, 0)]);
        SweepSummary.Write(root.Path, [Cell(1, 0, 1000, 1, 0.2), Cell(1, 0, 2000, 1, 0.3, RunStatus.Diverged)]);

        var result = Assert.Single(SweepSummary.ReadSweepExpectations(root.Path));
        Assert.False(result.Passed);
        Assert.Contains("has no value", result.Message);
    }

    [Fact]
    public void SweepJsonRoundTrips()
    {
        var expectation = Slope(ComparisonOperator.LessOrEqual, -0.41, new ExpectationCondition("gamma", [0.5, 1]), new ExpectationCondition("gamma_prime", [0]));
        SweepSpecFile.Write(root.Path, Spec, [expectation]);

        var read = SweepSpecFile.Read(root.Path);
        Assert.Equal(Spec, read.PhaseDiagram);
        var back = Assert.Single(read.Expectations);
        Assert.Equal((expectation.Metric, expectation.AtStep, expectation.Operator, expectation.Value, expectation.SourceText, expectation.Line),
            (back.Metric, back.AtStep, back.Operator, back.Value, back.SourceText, back.Line));
        Assert.Equal(expectation.When!.Select(c => (c.Parameter, string.Join(",", c.Values))), back.When!.Select(c => (c.Parameter, string.Join(",", c.Values))));

        SweepSpecFile.Write(root.Path, null, []);
        Assert.Equal((null, 0), (SweepSpecFile.Read(root.Path).PhaseDiagram, SweepSpecFile.Read(root.Path).Expectations.Count));
    }

    [Fact]
    public void AbsentSweepJsonIsEmptyAndMalformedOneNamesTheFile()
    {
        Assert.Same(SweepSpec.Empty, SweepSpecFile.Read(root.Path));

        foreach (var text in new[] { "{ not json", "[]", "{ \"phaseDiagram\": 3, \"expectations\": [] }", "{ \"expectations\": [ { \"metric\": 1 } ] }" })
        {
            File.WriteAllText(SweepSpecFile.PathIn(root.Path), text);
            var error = Assert.Throws<InvalidDataException>(() => SweepSpecFile.Read(root.Path));
            Assert.Contains(SweepSpecFile.PathIn(root.Path), error.Message);
        }
    }

    [Fact]
    public void SlopeLabelsHaveTwoDecimals()
    {
        Assert.Equal(("−0.47", "0.37", "0.00", "n/a"),
            (PhaseDiagramFigure.SlopeText(-0.4712), PhaseDiagramFigure.SlopeText(0.3651), PhaseDiagramFigure.SlopeText(-0.001), PhaseDiagramFigure.SlopeText(double.NaN)));
    }
}
