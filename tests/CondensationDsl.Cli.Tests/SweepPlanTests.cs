using CondensationDsl.Cli.Running;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Tests;

/// <summary>Expanding sweep axes into cells: products, tuple axes, choice words in labels, --set pinning.</summary>
public class SweepPlanTests
{
    private static readonly string[] Words = ["linear", "relu", "tanh"];

    private static readonly ParameterDeclaration[] Parameters =
    [
        new("act", ParameterType.Choice, 2, "tanh", Words),
        new("lr", ParameterType.Real, 1e-3, "1e-3"),
        new("seed", ParameterType.Integer, 1, "1"),
    ];

    private static readonly SweepAxis ActAndLr = new(["act", "lr"], [[2, 1e-3], [1, 2e-3]]);

    private static readonly Dictionary<string, double> NoOverrides = [];

    [Fact]
    public void ATupleAxisAdvancesItsNamesTogetherInTheProduct()
    {
        var cells = SweepPlan.Expand([ActAndLr, new SweepAxis("seed", [1, 2])], NoOverrides, Parameters);
        Assert.Equal(
            new[] { "act=tanh,lr=0.001,seed=1", "act=tanh,lr=0.001,seed=2", "act=relu,lr=0.002,seed=1", "act=relu,lr=0.002,seed=2" },
            cells.Select(cell => cell.Label));
        Assert.Equal(2.0, cells[1].Overrides["act"]);
        Assert.Equal(2e-3, cells[2].Overrides["lr"]);
        Assert.Equal(4, cells.Select(cell => cell.Id).Distinct().Count());
    }

    [Fact]
    public void SettingOneNameOfATupleAxisKeepsTheMatchingPoints()
    {
        var cells = SweepPlan.Expand([ActAndLr], new Dictionary<string, double> { ["act"] = 1 }, Parameters);
        var cell = Assert.Single(cells);
        Assert.Equal("lr=0.002", cell.Label);
        Assert.Equal(1.0, cell.Overrides["act"]);
    }

    [Fact]
    public void SettingEveryNameOfAnAxisRemovesIt()
    {
        var cells = SweepPlan.Expand([ActAndLr], new Dictionary<string, double> { ["act"] = 0, ["lr"] = 5e-3 }, Parameters);
        var cell = Assert.Single(cells);
        Assert.Equal(string.Empty, cell.Label);
        Assert.Equal(5e-3, cell.Overrides["lr"]);
    }

    [Fact]
    public void CellIdsOfNumericAxesAreStable()
    {
        // The id names a cell's run folder: a numeric axis must keep the ids it had before choice words existed.
        var cells = SweepPlan.Expand([new SweepAxis("seed", [1, 2])], NoOverrides, Parameters);
        Assert.Equal(new[] { "seed=1", "seed=2" }, cells.Select(cell => cell.Label));
        Assert.All(cells, cell => Assert.Matches("^[0-9a-f]{10}$", cell.Id));
    }

    [Fact]
    public void AChoiceIsWrittenAndReadAsItsWord()
    {
        var act = Parameters[0];
        Assert.Equal("relu", act.Format(1));
        Assert.Equal("7", act.Format(7));
        Assert.True(act.TryParse("linear", out var index));
        Assert.Equal(0, index);
        Assert.False(act.TryParse("2", out _));
        Assert.False(Parameters[2].TryParse("1.5", out _));
        Assert.True(Parameters[1].TryParse("1e-2", out var lr));
        Assert.Equal(1e-2, lr);
    }
}
