using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class RelativeDistanceTests
{
    [Fact]
    public void KnownPair()
    {
        // ‖(3.6, 4.8) − (3, 4)‖ = ‖(0.6, 0.8)‖ = 1; ‖(3, 4)‖ = 5.
        Assert.Equal(0.2, RelativeDistance.Compute([3, 4], [3.6, 4.8]), 1e-15);
    }

    [Fact]
    public void NoMovementIsZero() => Assert.Equal(0.0, RelativeDistance.Compute([1, -2, 3], [1, -2, 3]));

    [Fact]
    public void ZeroInitialIsUndefined() => Assert.True(double.IsNaN(RelativeDistance.Compute([0, 0], [1, 0])));

    [Fact]
    public void LengthMismatchThrows() => Assert.Throws<ArgumentException>(() => RelativeDistance.Compute([1, 2], [1]));
}
