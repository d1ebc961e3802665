using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class LossSpectrumTests
{
    [Fact]
    public void HandMadeTrajectory()
    {
        // 10 bins on [−5, 0], Δ = 0.5. log10: 1e-3 → −3 (bin (−3+5)/0.5 = 4, its lower edge); 0.5 → −0.301 (bin 9);
        // 1 → 0 = Hi (last bin, closed); 3e-5 → −4.523 (bin 0); 1e-6 and 0 below; 2 above; NaN invalid. 9 epochs.
        var spectrum = new LossSpectrum(bins: 10, lo: -5, hi: 0);
        spectrum.Add([1e-3, 1e-3, 0.5, 1, 1e-6, 2, double.NaN, 0, 3e-5]);

        Assert.Equal(9, spectrum.Total);
        long[] expected = [1, 0, 0, 0, 2, 0, 0, 0, 0, 2];
        Assert.Equal(expected, spectrum.Counts());
        Assert.Equal(2, spectrum.Below);
        Assert.Equal(1, spectrum.Above);
        Assert.Equal(1, spectrum.Invalid);

        var frequency = spectrum.Frequencies();
        Assert.Equal(1.0 / 9, frequency[0], 1e-15);
        Assert.Equal(2.0 / 9, frequency[4], 1e-15);
        Assert.Equal(2.0 / 9, frequency[9], 1e-15);
        Assert.Equal(1.0, frequency.Sum() + spectrum.BelowFraction + spectrum.AboveFraction + spectrum.InvalidFraction, 1e-15);
    }

    [Fact]
    public void OutOfRangeLossesAreNotClampedIntoTheEndBins()
    {
        // A run that converged below 1e-5 must not light up the bin at 1e-5.
        var spectrum = new LossSpectrum();
        spectrum.Add([1e-7, 1e-7, 1e-7, 5]);
        Assert.Equal(0, spectrum.Count(0));
        Assert.Equal(0, spectrum.Count(LossSpectrum.DefaultBins - 1));
        Assert.Equal(0.75, spectrum.BelowFraction);
        Assert.Equal(0.25, spectrum.AboveFraction);
        Assert.All(spectrum.Frequencies(), f => Assert.Equal(0.0, f));
    }

    [Fact]
    public void TrialsAreSummed()
    {
        // Default 200 bins on [−5, 0], Δ = 0.025: 0.1 → −1 → bin 4·200/5 = 160; 0.01 → −2 → bin 120. 3 + 3 of 6 epochs.
        var spectrum = LossSpectrum.Of([[0.1, 0.1], [0.1, 0.01, 0.01, 0.01]]);
        Assert.Equal(6, spectrum.Total);
        Assert.Equal(3, spectrum.Count(160));
        Assert.Equal(3, spectrum.Count(120));
        var frequency = spectrum.Frequencies();
        Assert.Equal(0.5, frequency[160]);
        Assert.Equal(0.5, frequency[120]);
        Assert.Equal(1.0, frequency.Sum(), 1e-15);
    }

    [Fact]
    public void DecimalEdgesOpenTheirBin()
    {
        var spectrum = new LossSpectrum();
        for (var e = -5; e <= 0; e++)
        {
            Assert.Equal((e + 5) * 40 - (e == 0 ? 1 : 0), spectrum.BinOf(e));
        }

        Assert.Equal(-1, spectrum.BinOf(-5.0000001));
        Assert.Equal(200, spectrum.BinOf(1e-9));
        Assert.Equal(-3.0, spectrum.Edge(80), 1e-15);
        Assert.Equal(0.0, spectrum.Edge(200));
        Assert.Equal(-3.0 + 0.0125, spectrum.Center(80), 1e-15);
    }

    [Fact]
    public void InfinitiesAndNegativeLosses()
    {
        var spectrum = new LossSpectrum(bins: 5, lo: -5, hi: 0);
        spectrum.Add([double.PositiveInfinity, -1, double.NaN, 0]);
        Assert.Equal(1, spectrum.Above);
        Assert.Equal(2, spectrum.Invalid);
        Assert.Equal(1, spectrum.Below);
    }

    [Fact]
    public void EmptySpectrumHasZeroFrequencies()
    {
        var spectrum = new LossSpectrum(bins: 3);
        Assert.Equal([0.0, 0.0, 0.0], spectrum.Frequencies());
        Assert.Equal(0.0, spectrum.BelowFraction);
    }

    [Fact]
    public void RejectsBadBinning()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossSpectrum(bins: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossSpectrum(lo: 0, hi: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossSpectrum(lo: double.NegativeInfinity));
    }

    [Fact]
    public void WeightedEpochsCountAsThatManySingleEpochs()
    {
        var weighted = new LossSpectrum(bins: 5, lo: -5, hi: 0);
        weighted.AddLoss(0.05, 10); // log10 = −1.3: bin 3
        weighted.AddLoss(1e-7, 4); // below
        weighted.AddLoss(double.NaN, 3); // invalid
        weighted.AddLoss(0.5, 0); // nothing
        var single = new LossSpectrum(bins: 5, lo: -5, hi: 0);
        single.Add([.. Enumerable.Repeat(0.05, 10), .. Enumerable.Repeat(1e-7, 4), .. Enumerable.Repeat(double.NaN, 3)]);

        Assert.Equal(single.Counts(), weighted.Counts());
        Assert.Equal((17L, 4L, 0L, 3L), (weighted.Total, weighted.Below, weighted.Above, weighted.Invalid));
        Assert.Equal(10.0 / 17, weighted.Frequencies()[3], 1e-15);
        Assert.Throws<ArgumentOutOfRangeException>(() => weighted.AddLoss(0.1, -1));
    }
}
