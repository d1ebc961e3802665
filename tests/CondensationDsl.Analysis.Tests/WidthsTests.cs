using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class WidthsTests
{
    // Clusters of amplitude 5, 4 and a straggler of 0.5 (total 9.5).
    private static readonly ClusterResult WithStraggler = new([0, 1, 2], 3, [1, 1, 1], [4, 0.5, 5], 0, 0);

    [Fact]
    public void EffectiveWidthCountsClusters() => Assert.Equal(3, Widths.Effective(WithStraggler));

    [Theory]
    [InlineData(0.9, 2)] // 0.9·9.5 = 8.55 ≤ 5 + 4: the straggler is not needed
    [InlineData(0.5, 1)] // 4.75 ≤ 5
    [InlineData(0.95, 3)] // 9.025 > 9
    [InlineData(1.0, 3)]
    public void CondensedWidthIgnoresStragglers(double fraction, int expected) =>
        Assert.Equal(expected, Widths.Condensed(WithStraggler, fraction));

    [Fact]
    public void EmptyLayerHasWidthZero()
    {
        var empty = new ClusterResult([-1], 0, [], [], 1, 0);
        Assert.Equal(0, Widths.Effective(empty));
        Assert.Equal(0, Widths.Condensed(empty, 0.9));
    }

    [Fact]
    public void FractionOutsideRangeThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Widths.Condensed(WithStraggler, 0));

    [Fact]
    public void FromClusteringEndToEnd()
    {
        // Two big parallel neurons (cluster A = 4), one opposite (B = 3), one orthogonal straggler (C = 0.2); total 7.2.
        double[] directions = [1, 0, 2, 0, -1, 0, 0, 1];
        var result = Clustering.Leader(directions, 4, 2, [2, 2, 3, 0.2], new bool[4], 0.95, true, 1e-3);
        Assert.Equal(3, Widths.Effective(result));
        Assert.Equal(2, Widths.Condensed(result, 0.9));
    }
}
