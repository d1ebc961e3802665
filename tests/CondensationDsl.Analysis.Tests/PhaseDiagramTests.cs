using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class PhaseDiagramTests
{
    [Fact]
    public void CoordinatesOfHandPickedScales()
    {
        // m = 100: β₁β₂/α = 0.01·0.1/1 = 10⁻³ = m^−1.5, β₁/β₂ = 0.1 = m^−0.5.
        var point = PhaseDiagram.Coordinates(alpha: 1, beta1: 0.01, beta2: 0.1, m: 100);
        Assert.Equal(1.5, point.Gamma, 1e-14);
        Assert.Equal(0.5, point.GammaPrime, 1e-14);
    }

    [Fact]
    public void ReferenceGaugeIsAlphaPowerOfWidth()
    {
        // The reference runs at γ′ = 0: β₁ = β₂ = 1, α = m^γ.
        var point = PhaseDiagram.Coordinates(alpha: Math.Pow(1000, 1.75), beta1: 1, beta2: 1, m: 1000);
        Assert.Equal(1.75, point.Gamma, 1e-13);
        Assert.Equal(0.0, point.GammaPrime, 1e-15);

        var scales = PhaseDiagram.ScalesForBeta2(gamma: 1.75, gammaPrime: 0, m: 1000);
        Assert.Equal(1.0, scales.Beta1, 1e-15);
        Assert.Equal(1.0, scales.Beta2);
        Assert.Equal(Math.Pow(1000, 1.75), scales.Alpha, 1e-9 * scales.Alpha);
    }

    [Fact]
    public void ScalesForBeta2ByHand()
    {
        // γ = 1.5, γ′ = 0.5, m = 100, β₂ = 1: β₁ = 100^−0.5 = 0.1, α = β₁β₂·100^1.5 = 0.1·1000 = 100.
        var scales = PhaseDiagram.ScalesForBeta2(1.5, 0.5, 100);
        Assert.Equal(0.1, scales.Beta1, 1e-15);
        Assert.Equal(1.0, scales.Beta2);
        Assert.Equal(100.0, scales.Alpha, 1e-12);
    }

    [Fact]
    public void ScalesForAlphaByHand()
    {
        // γ = 1.5, γ′ = 0.5, m = 100, α = 1: β₁ = 100^−1 = 0.01, β₂ = 100^−0.5 = 0.1; α = 4 doubles both.
        var scales = PhaseDiagram.ScalesForAlpha(1.5, 0.5, 100);
        Assert.Equal(1.0, scales.Alpha);
        Assert.Equal(0.01, scales.Beta1, 1e-16);
        Assert.Equal(0.1, scales.Beta2, 1e-15);
        var scaled = PhaseDiagram.ScalesForAlpha(1.5, 0.5, 100, alpha: 4);
        Assert.Equal(0.02, scaled.Beta1, 1e-16);
        Assert.Equal(0.2, scaled.Beta2, 1e-15);
    }

    [Fact]
    public void CommonInitializationsInTheUnitAlphaGauge()
    {
        const double m = 400;
        // LeCun/He (½, ½): hidden std O(1), output std m^−½. Xavier (1, 0): both m^−½.
        var lecun = PhaseDiagram.ScalesForAlpha(0.5, 0.5, m);
        Assert.Equal(1.0, lecun.Beta2, 1e-15);
        Assert.Equal(0.05, lecun.Beta1, 1e-16);
        var xavier = PhaseDiagram.ScalesForAlpha(1, 0, m);
        Assert.Equal(0.05, xavier.Beta1, 1e-16);
        Assert.Equal(0.05, xavier.Beta2, 1e-16);
    }

    [Theory]
    [InlineData(0.5, 0.5, 1000)]
    [InlineData(1.75, 0.0, 5000)]
    [InlineData(2.0, -1.0, 40000)]
    [InlineData(8.0, 0.0, 100)] // fig 1's std = m^−4 on both layers: β₁β₂ = m^−8, far below double's range of a product.
    public void EveryGaugeRoundTrips(double gamma, double gammaPrime, double m)
    {
        foreach (var scales in new[]
                 {
                     PhaseDiagram.ScalesForBeta2(gamma, gammaPrime, m),
                     PhaseDiagram.ScalesForBeta2(gamma, gammaPrime, m, beta2: 0.3),
                     PhaseDiagram.ScalesForAlpha(gamma, gammaPrime, m),
                     PhaseDiagram.ScalesForAlpha(gamma, gammaPrime, m, alpha: 7),
                 })
        {
            var point = PhaseDiagram.Coordinates(scales.Alpha, scales.Beta1, scales.Beta2, m);
            Assert.Equal(gamma, point.Gamma, 1e-12);
            Assert.Equal(gammaPrime, point.GammaPrime, 1e-12);
        }
    }

    [Fact]
    public void CoordinatesRejectBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PhaseDiagram.Coordinates(0, 1, 1, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => PhaseDiagram.Coordinates(1, -1, 1, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => PhaseDiagram.Coordinates(1, 1, double.NaN, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => PhaseDiagram.Coordinates(1, 1, 1, 1));
    }

    [Theory]
    [InlineData(0.5, 0.0, PhaseRegime.Linear)]     // NTK
    [InlineData(0.5, 0.5, PhaseRegime.Linear)]     // LeCun/He
    [InlineData(1.0, 0.0, PhaseRegime.Critical)]   // Xavier, mean-field
    [InlineData(1.0, -1.0, PhaseRegime.Critical)]  // flat piece γ = 1, γ′ ≤ 0
    [InlineData(2.0, 1.0, PhaseRegime.Critical)]   // diagonal γ′ = γ − 1
    [InlineData(1.75, 0.0, PhaseRegime.Condensed)]
    [InlineData(2.0, 0.5, PhaseRegime.Condensed)]  // γ′ < γ − 1 = 1
    [InlineData(2.0, 1.5, PhaseRegime.Linear)]     // γ′ > γ − 1 = 1
    [InlineData(1.0, 0.5, PhaseRegime.Linear)]     // γ = 1 but γ′ > 0 = γ − 1: above the diagonal
    [InlineData(0.9, -3.0, PhaseRegime.Linear)]    // γ < 1
    [InlineData(1.2, -3.0, PhaseRegime.Condensed)]
    public void TheoreticalRegimeAtHandPickedPoints(double gamma, double gammaPrime, PhaseRegime expected) =>
        Assert.Equal(expected, PhaseDiagram.TheoreticalRegime(gamma, gammaPrime));

    [Fact]
    public void TheoreticalRegimeToleranceAndNaN()
    {
        Assert.Equal(PhaseRegime.Critical, PhaseDiagram.TheoreticalRegime(1 + 1e-12, -0.5));
        Assert.Equal(PhaseRegime.Condensed, PhaseDiagram.TheoreticalRegime(1 + 1e-12, -0.5, tolerance: 0));
        Assert.Equal(PhaseRegime.Undetermined, PhaseDiagram.TheoreticalRegime(double.NaN, 0));
    }

    [Fact]
    public void CriticalLineHasAFlatAndADiagonalPiece()
    {
        // Rectangle γ′ ∈ [−1, 2], γ ∈ [0, 2.5]: flat (−1, 1)–(0, 1); diagonal from (0, 1) until γ hits 2.5 at γ′ = 1.5.
        var segments = PhaseDiagram.CriticalLine(-1, 2, 0, 2.5);
        Assert.Equal(
            [new BoundarySegment(-1, 1, 0, 1), new BoundarySegment(0, 1, 1.5, 2.5)],
            segments);
    }

    [Fact]
    public void CriticalLineIsClippedToTheRectangle()
    {
        // No flat piece when γ′ starts right of 0; the diagonal then starts at γ′ = 0.5, γ = 1.5.
        Assert.Equal([new BoundarySegment(0.5, 1.5, 2, 3)], PhaseDiagram.CriticalLine(0.5, 2, 0, 5));
        // γ range [2, 5] misses the flat piece and cuts the diagonal to γ′ ∈ [1, 2].
        Assert.Equal([new BoundarySegment(1, 2, 2, 3)], PhaseDiagram.CriticalLine(-1, 2, 2, 5));
        // Entirely outside: γ < 1 everywhere in the rectangle.
        Assert.Empty(PhaseDiagram.CriticalLine(-2, 3, 0, 0.5));
        Assert.Throws<ArgumentException>(() => PhaseDiagram.CriticalLine(1, 0, 0, 1));
    }

    [Fact]
    public void SlopeOfAnExactPowerLaw()
    {
        double[] widths = [1000, 5000, 10000, 20000, 40000];
        var relDis = widths.Select(m => 3 * Math.Pow(m, 0.37)).ToArray();
        var fit = PhaseDiagram.Slope(widths, relDis);
        Assert.Equal(0.37, fit.Slope, 1e-12);
        Assert.Equal(Math.Log(3), fit.Intercept, 1e-10);
        Assert.True(fit.StandardError < 1e-12, $"SE {fit.StandardError}");
        Assert.Equal(5, fit.Count);
        Assert.Equal(0, fit.Skipped);
    }

    [Fact]
    public void SlopeOfADecreasingPowerLaw()
    {
        double[] widths = [1000, 5000, 10000];
        var fit = PhaseDiagram.Slope(widths, widths.Select(m => 0.5 * Math.Pow(m, -0.51)).ToArray());
        Assert.Equal(-0.51, fit.Slope, 1e-12);
        Assert.Equal(PhaseRegime.Linear, PhaseDiagram.ClassifySlope(fit));
    }

    [Fact]
    public void SlopeAndStandardErrorByHand()
    {
        // log m = 1, 2, 3 and log RD = 1, 3, 2: x̄ = ȳ = 2, Sxy = 1, Sxx = 2, slope ½, intercept 1; fitted 1.5, 2, 2.5,
        // residuals −½, 1, −½, RSS = 1.5, s² = 1.5/(3 − 2), SE = √(1.5/2).
        double[] widths = [Math.E, Math.E * Math.E, Math.Pow(Math.E, 3)];
        double[] relDis = [Math.E, Math.Pow(Math.E, 3), Math.E * Math.E];
        var fit = PhaseDiagram.Slope(widths, relDis);
        Assert.Equal(0.5, fit.Slope, 1e-14);
        Assert.Equal(1.0, fit.Intercept, 1e-14);
        Assert.Equal(Math.Sqrt(0.75), fit.StandardError, 1e-14);
        Assert.Equal(3, fit.Count);
    }

    [Fact]
    public void SeedsAtOneWidthAreRepeatedWidths()
    {
        // Two seeds per width, RD = m^0.2·(1 ± 10%): the geometric mean per width is on the power law, so the slope is exact.
        double[] widths = [100, 100, 1000, 1000];
        double[] relDis = [Math.Pow(100, 0.2) * 1.1, Math.Pow(100, 0.2) / 1.1, Math.Pow(1000, 0.2) * 1.1, Math.Pow(1000, 0.2) / 1.1];
        Assert.Equal(0.2, PhaseDiagram.Slope(widths, relDis).Slope, 1e-13);
    }

    [Fact]
    public void SlopeSkipsPointsWithoutAFiniteLogarithm()
    {
        double[] widths = [1000, 2000, 5000, 10000, 20000, 40000, 80000];
        double[] relDis = [Math.Pow(1000, -0.5), double.NaN, Math.Pow(5000, -0.5), 0, double.PositiveInfinity, Math.Pow(40000, -0.5), -1];
        var fit = PhaseDiagram.Slope(widths, relDis);
        Assert.Equal(-0.5, fit.Slope, 1e-13);
        Assert.Equal(3, fit.Count);
        Assert.Equal(4, fit.Skipped);
    }

    [Fact]
    public void SlopeIsNaNWithFewerThanTwoUsablePoints()
    {
        var one = PhaseDiagram.Slope([1000, 2000, 4000], [0.5, double.NaN, 0]);
        Assert.True(double.IsNaN(one.Slope) && double.IsNaN(one.Intercept) && double.IsNaN(one.StandardError));
        Assert.Equal(1, one.Count);
        Assert.Equal(2, one.Skipped);
        Assert.Equal(PhaseRegime.Undetermined, PhaseDiagram.ClassifySlope(one));

        var sameWidth = PhaseDiagram.Slope([1000, 1000], [0.5, 0.7]);
        Assert.True(double.IsNaN(sameWidth.Slope));
        Assert.Equal(2, sameWidth.Count);

        var two = PhaseDiagram.Slope([10, 100], [1, 10]);
        Assert.Equal(1.0, two.Slope, 1e-14);
        Assert.True(double.IsNaN(two.StandardError));
    }

    [Fact]
    public void SlopeRejectsBadWidthsAndLengths()
    {
        Assert.Throws<ArgumentException>(() => PhaseDiagram.Slope([1000, 2000], [0.5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PhaseDiagram.Slope([1000, 0], [0.5, 0.6]));
    }

    [Theory]
    [InlineData(-0.51, PhaseRegime.Linear)]     // reference γ = 0.5
    [InlineData(0.01, PhaseRegime.Critical)]    // reference γ = 1
    [InlineData(0.37, PhaseRegime.Condensed)]   // reference γ = 1.75
    [InlineData(0.1, PhaseRegime.Critical)]     // the band is closed
    [InlineData(-0.1000001, PhaseRegime.Linear)]
    [InlineData(double.NaN, PhaseRegime.Undetermined)]
    public void ClassifySlopeWithTheDefaultBand(double slope, PhaseRegime expected) =>
        Assert.Equal(expected, PhaseDiagram.ClassifySlope(slope));

    [Fact]
    public void ClassifySlopeWithAZeroBandIsTheSign()
    {
        Assert.Equal(PhaseRegime.Condensed, PhaseDiagram.ClassifySlope(0.01, band: 0));
        Assert.Equal(PhaseRegime.Linear, PhaseDiagram.ClassifySlope(-0.01, band: 0));
        Assert.Equal(PhaseRegime.Critical, PhaseDiagram.ClassifySlope(0.0, band: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PhaseDiagram.ClassifySlope(0.0, band: -1));
    }
}
