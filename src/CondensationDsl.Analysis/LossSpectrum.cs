namespace CondensationDsl.Analysis;

/// <summary>
/// The loss spectrum of figure 7 (SCIENCE.md §3 row 7, the embedding principle): how long training lingers at each loss
/// level. Bins split log10(loss) on [<see cref="Lo"/>, <see cref="Hi"/>] into <see cref="Bins"/> equal parts; every
/// entry of a trajectory is one epoch and adds 1 to the bin its loss falls in; trials are summed. Frequency of a bin =
/// epochs spent in it / all epochs added (<see cref="Total"/>). Bright bars at the same loss across widths are the
/// critical points that wide nets inherit from narrow ones.
/// </summary>
/// <remarks>
/// <para>Bin i holds log10(loss) in [Lo + i·Δ, Lo + (i+1)·Δ), Δ = (Hi − Lo)/Bins; the last bin also holds log10(loss) = Hi.</para>
/// <para>Losses outside [10^Lo, 10^Hi] are counted apart, never clamped into the end bins: a run that converged below
/// 1e-5 would otherwise paint a bright bar at 1e-5, a loss level it never lingered at, exactly the artefact the figure
/// is read for. They stay in the denominator, so the bins' frequencies plus <see cref="BelowFraction"/>,
/// <see cref="AboveFraction"/> and <see cref="InvalidFraction"/> sum to 1 and a figure can say how much time fell off
/// its range. A loss of 0 (log −∞) is below; +∞ is above; NaN (a diverged run) is invalid.</para>
/// <para>Accumulates, so figure 7's 12 widths × 50 trials × 10⁵ epochs never need to be held in memory at once.</para>
/// </remarks>
public sealed class LossSpectrum
{
    /// <summary>Figure 7's binning: 200 bins of log10(loss) on [−5, 0].</summary>
    public const int DefaultBins = 200;

    public const double DefaultLo = -5.0;
    public const double DefaultHi = 0.0;

    private readonly long[] counts;

    /// <exception cref="ArgumentOutOfRangeException">bins &lt; 1, or lo, hi not finite with lo &lt; hi.</exception>
    public LossSpectrum(int bins = DefaultBins, double lo = DefaultLo, double hi = DefaultHi)
    {
        if (bins < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, "bins must be ≥ 1.");
        }

        if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(lo < hi))
        {
            throw new ArgumentOutOfRangeException(nameof(hi), hi, $"Need finite lo < hi, got [{lo}, {hi}].");
        }

        Bins = bins;
        Lo = lo;
        Hi = hi;
        counts = new long[bins];
    }

    public int Bins { get; }

    /// <summary>The lower end of the range, in log10(loss).</summary>
    public double Lo { get; }

    /// <summary>The upper end of the range, in log10(loss).</summary>
    public double Hi { get; }

    /// <summary>Epochs added so far, in range or not.</summary>
    public long Total { get; private set; }

    /// <summary>Epochs with loss below 10^Lo (0 included).</summary>
    public long Below { get; private set; }

    /// <summary>Epochs with loss above 10^Hi (+∞ included).</summary>
    public long Above { get; private set; }

    /// <summary>Epochs whose loss is NaN or negative (no logarithm; a diverged run or a caller bug).</summary>
    public long Invalid { get; private set; }

    public double BelowFraction => Fraction(Below);

    public double AboveFraction => Fraction(Above);

    public double InvalidFraction => Fraction(Invalid);

    /// <summary>The spectrum of trials given whole: every trajectory added once.</summary>
    public static LossSpectrum Of(IEnumerable<double[]> trajectories, int bins = DefaultBins, double lo = DefaultLo, double hi = DefaultHi)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        var spectrum = new LossSpectrum(bins, lo, hi);
        foreach (var trajectory in trajectories)
        {
            ArgumentNullException.ThrowIfNull(trajectory, nameof(trajectories));
            spectrum.Add(trajectory);
        }

        return spectrum;
    }

    /// <summary>Adds one trial: every entry is the loss at one epoch.</summary>
    public void Add(ReadOnlySpan<double> trajectory)
    {
        for (var i = 0; i < trajectory.Length; i++)
        {
            AddLoss(trajectory[i]);
        }
    }

    /// <summary>Adds one epoch.</summary>
    public void AddLoss(double loss) => AddLoss(loss, 1);

    /// <summary>
    /// Adds <paramref name="epochs"/> epochs all at <paramref name="loss"/>: a loss curve recorded every k epochs, each
    /// record standing for the k epochs up to the next, without adding the same loss k times. 0 adds nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/> is negative.</exception>
    public void AddLoss(double loss, long epochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        Total += epochs;
        if (double.IsNaN(loss) || loss < 0)
        {
            Invalid += epochs;
            return;
        }

        var index = BinOf(Math.Log10(loss));
        if (index < 0)
        {
            Below += epochs;
        }
        else if (index >= Bins)
        {
            Above += epochs;
        }
        else
        {
            counts[index] += epochs;
        }
    }

    /// <summary>
    /// The bin of a log10(loss) value: −1 below the range, <see cref="Bins"/> above it. (v − Lo)·Bins/(Hi − Lo) rather than
    /// (v − Lo)/Δ, so values on the edges of a decimal grid (log10 = −3 with 200 bins on [−5, 0]) land in the bin they open.
    /// </summary>
    public int BinOf(double log10Loss)
    {
        if (log10Loss < Lo)
        {
            return -1;
        }

        if (log10Loss > Hi)
        {
            return Bins;
        }

        var index = (int)Math.Floor((log10Loss - Lo) * Bins / (Hi - Lo));
        return Math.Min(index, Bins - 1);
    }

    /// <summary>Epochs in bin <paramref name="bin"/>.</summary>
    public long Count(int bin) => counts[bin];

    /// <summary>A copy of the bin counts.</summary>
    public long[] Counts() => (long[])counts.Clone();

    /// <summary>Frequency of every bin: epochs in it / all epochs added; zeros before anything was added.</summary>
    public double[] Frequencies()
    {
        var result = new double[Bins];
        for (var i = 0; i < Bins; i++)
        {
            result[i] = Fraction(counts[i]);
        }

        return result;
    }

    /// <summary>log10(loss) at the lower edge of bin i (i = Bins gives Hi).</summary>
    public double Edge(int i) => i == Bins ? Hi : Lo + (Hi - Lo) * i / Bins;

    /// <summary>log10(loss) at the middle of bin i.</summary>
    public double Center(int i) => Lo + (Hi - Lo) * (i + 0.5) / Bins;

    private double Fraction(long count) => Total == 0 ? 0 : (double)count / Total;
}
