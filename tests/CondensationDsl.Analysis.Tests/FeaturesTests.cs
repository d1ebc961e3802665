using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class FeaturesTests
{
    private const double Tol = 1e-12;

    [Theory]
    [InlineData(1.0, 0.0, 2.0, 0.0, 2.0)] // b = 0, w > 0: θ = 0
    [InlineData(-1.0, 0.0, 1.0, Math.PI, 1.0)] // b = 0, w < 0: θ = π (the closed end of (−π, π])
    [InlineData(0.0, 1.0, -3.0, Math.PI / 2, 3.0)] // |a| is used
    [InlineData(3.0, 4.0, 0.5, 0.9272952180016122, 2.5)] // atan2(4, 3); A = 0.5·5
    [InlineData(-1.0, -1.0, 1.0, -3 * Math.PI / 4, 1.4142135623730951)]
    [InlineData(2.0, -2.0, -1.0, -Math.PI / 4, 2.8284271247461903)]
    [InlineData(0.0, 0.0, 5.0, 0.0, 0.0)]
    public void OrientationAndFullAmplitude(double w, double b, double a, double theta, double amplitude)
    {
        var table = Features.OneDimensional([w], [b], [a], [false], AmplitudeConvention.Full);
        Assert.Equal(theta, table.Orientation[0], Tol);
        Assert.Equal(amplitude, table.Amplitude[0], Tol);
        Assert.False(table.Static[0]);
    }

    [Fact]
    public void NegativeZeroBiasWithNegativeWeightMapsToPi()
    {
        // Math.Atan2(−0, −1) is −π, which lies outside (−π, π].
        Assert.Equal(Math.PI, Features.Orientation(-1, -0.0));
    }

    [Fact]
    public void InputAmplitudeDropsOutputWeight()
    {
        var table = Features.OneDimensional([3.0, -1.0], [4.0, 0.0], [0.5, 10.0], [false, true], AmplitudeConvention.Input);
        Assert.Equal([5.0, 1.0], table.Amplitude);
        Assert.Equal([false, true], table.Static);
    }

    [Fact]
    public void InputConventionAcceptsNoOutputWeights()
    {
        var table = Features.OneDimensional([3.0], [4.0], ReadOnlySpan<double>.Empty, [false], AmplitudeConvention.Input);
        Assert.Equal(5.0, table.Amplitude[0]);
    }

    [Fact]
    public void StaticFlagsAreCopiedNotShared()
    {
        bool[] flags = [true];
        var table = Features.OneDimensional([1.0], [1.0], [1.0], flags, AmplitudeConvention.Full);
        flags[0] = false;
        Assert.True(table.Static[0]);
    }

    [Fact]
    public void LengthMismatchThrows()
    {
        Assert.Throws<ArgumentException>(() => Features.OneDimensional([1.0, 2.0], [1.0], [1.0, 1.0], [false, false], AmplitudeConvention.Full));
    }

    [Fact]
    public void AmplitudesOfMultiDimensionalNeurons()
    {
        // u_0 = (1, 2, 2): ‖u‖ = 3; u_1 = (0, 3, 4): ‖u‖ = 5.
        double[] directions = [1, 2, 2, 0, 3, 4];
        Assert.Equal([6.0, 5.0], Features.Amplitudes(directions, 2, 3, [-2.0, 1.0], AmplitudeConvention.Full));
        Assert.Equal([3.0, 5.0], Features.Amplitudes(directions, 2, 3, [], AmplitudeConvention.Input));
    }

    [Fact]
    public void OutgoingNormsAreColumnNorms()
    {
        // Next layer 2 outputs × 2 neurons: columns (3, 4) and (−1, 0).
        Assert.Equal([5.0, 1.0], Features.OutgoingNorms([3, -1, 4, 0], 2, 2));
    }

    [Fact]
    public void DirectionsAppendTheBias()
    {
        Assert.Equal([1.0, 2.0, 9.0, 3.0, 4.0, 8.0], Directions.WithBias([1, 2, 3, 4], 2, 2, [9, 8]));
        Assert.Equal([1.0, 2.0], Directions.WithBias([1, 2], 1, 2, []));
    }
}
