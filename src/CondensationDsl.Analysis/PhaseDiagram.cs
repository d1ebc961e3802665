namespace CondensationDsl.Analysis;

/// <summary>Where a cell of the phase diagram sits (SCIENCE.md §2, "Phase diagram coordinates").</summary>
public enum PhaseRegime
{
    /// <summary>RelDis → 0 as m → ∞ (S_w &lt; 0): the input weights hardly move, the net stays near its linearization.</summary>
    Linear,

    /// <summary>On the boundary (S_w ≈ 0); mean-field initialization sits here.</summary>
    Critical,

    /// <summary>RelDis → ∞ as m → ∞ (S_w &gt; 0): the input weights move far and condense.</summary>
    Condensed,

    /// <summary>No verdict: the slope could not be fitted (fewer than two usable widths) or a coordinate is not finite.</summary>
    Undetermined,
}

/// <summary>The exponents (γ, γ′) of a phase-diagram cell.</summary>
public sealed record PhasePoint(double Gamma, double GammaPrime);

/// <summary>
/// The three scales of the phase-diagram model f(x) = (1/α) Σ_k a_k σ(w_k·x̃): <see cref="Alpha"/> the output factor α,
/// <see cref="Beta1"/> the std β₁ of the output weights a_k, <see cref="Beta2"/> the std β₂ of the input weights w_k
/// (bias included, x̃ = (x, 1)).
/// </summary>
public sealed record PhaseScales(double Alpha, double Beta1, double Beta2);

/// <summary>One straight piece of the theoretical boundary, drawn in the (γ′, γ) plane: γ′ on the x axis, γ on the y axis.</summary>
public sealed record BoundarySegment(double GammaPrime0, double Gamma0, double GammaPrime1, double Gamma1);

/// <summary>
/// Least-squares fit of log RelDis = <see cref="Intercept"/> + <see cref="Slope"/>·log m (natural logs; the slope does not
/// depend on the base). <see cref="StandardError"/> is the slope's usual standard error √(s²/Sxx) with s² the residual
/// sum of squares over n − 2. <see cref="Count"/> points were used, <see cref="Skipped"/> were left out because their
/// RelDis was NaN, infinite, zero or negative (no finite logarithm: a diverged or failed run, or a layer that never moved).
/// </summary>
public sealed record SlopeFit(double Slope, double Intercept, double StandardError, int Count, int Skipped);

/// <summary>
/// The phase diagram of two-layer ReLU nets (Luo–Xu–Ma–Zhang, JMLR 2021; SCIENCE.md §2 and §3 row 5): the coordinates
/// (γ, γ′), the theoretical boundary between the linear and the condensed regime, and the empirical slope S_w that
/// places a cell on one side of it.
/// </summary>
/// <remarks>
/// Definitions (SCIENCE.md §2): with a_k ~ N(0, β₁²), w_k ~ N(0, β₂² I) and the output scaled by 1/α,
/// γ = lim −log(β₁β₂/α)/log m and γ′ = lim −log(β₁/β₂)/log m. At one finite width the limits are dropped, so a cell
/// declared by (γ, γ′) gets β₁β₂/α = m^−γ and β₁/β₂ = m^−γ′ exactly. Three scales and two equations leave one free
/// choice (a gauge): <see cref="ScalesForBeta2"/> fixes β₂ (β₂ = 1 gives the reference runs' β₁ = β₂ = 1, α = m^γ at
/// γ′ = 0), <see cref="ScalesForAlpha"/> fixes α (α = 1 is a plain net with one init std per layer). For ReLU the
/// gauge does not change the gradient flow beyond a rescaling of time, and RelDis is scale-free, so every gauge must
/// give the same S_w (the invariance check of §2).
/// </remarks>
public static class PhaseDiagram
{
    /// <summary>
    /// Half-width of the band |S_w| ≤ band read as critical by <see cref="ClassifySlope(double, double)"/>. 0.1 is the
    /// tolerance to which §3 row 5 asks the reference slopes to be reproduced: a slope that close to 0 cannot be told
    /// apart from the critical line's own (0.01 at γ = 1, γ′ = 0).
    /// </summary>
    public const double DefaultCriticalBand = 0.1;

    /// <summary>
    /// Half-width of the band around the critical line read as critical by <see cref="TheoreticalRegime"/>: exponents computed
    /// from logarithms (<see cref="Coordinates"/>) miss 1 by rounding, not by meaning.
    /// </summary>
    public const double DefaultLineTolerance = 1e-9;

    /// <summary>(γ, γ′) of the scales (α, β₁, β₂) at width m: γ = −log(β₁β₂/α)/log m, γ′ = −log(β₁/β₂)/log m.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not positive and finite, or m &lt; 2 (log m must not be 0).</exception>
    public static PhasePoint Coordinates(double alpha, double beta1, double beta2, double m)
    {
        Positive(alpha, nameof(alpha));
        Positive(beta1, nameof(beta1));
        Positive(beta2, nameof(beta2));
        Width(m);
        var logM = Math.Log(m);
        // Sums of logs instead of the log of a product: β₁β₂/α may underflow for tiny inits (β = m^−4 at m = 40 000).
        return new PhasePoint(
            -(Math.Log(beta1) + Math.Log(beta2) - Math.Log(alpha)) / logM,
            -(Math.Log(beta1) - Math.Log(beta2)) / logM);
    }

    /// <summary>The scales with β₂ given: β₁ = β₂·m^−γ′, α = β₁β₂·m^γ. β₂ = 1 at γ′ = 0 is the reference runs' gauge (β₁ = β₂ = 1, α = m^γ).</summary>
    public static PhaseScales ScalesForBeta2(double gamma, double gammaPrime, double m, double beta2 = 1.0)
    {
        Finite(gamma, nameof(gamma));
        Finite(gammaPrime, nameof(gammaPrime));
        Positive(beta2, nameof(beta2));
        Width(m);
        var logM = Math.Log(m);
        var beta1 = beta2 * Math.Exp(-gammaPrime * logM);
        var alpha = Math.Exp(Math.Log(beta1) + Math.Log(beta2) + gamma * logM);
        return new PhaseScales(alpha, beta1, beta2);
    }

    /// <summary>
    /// The scales with α given: β₁ = √α·m^−(γ+γ′)/2, β₂ = √α·m^−(γ−γ′)/2. With α = 1 the cell is a plain net whose hidden
    /// layer (weights and bias) has init std β₂ and whose output layer has init std β₁.
    /// </summary>
    public static PhaseScales ScalesForAlpha(double gamma, double gammaPrime, double m, double alpha = 1.0)
    {
        Finite(gamma, nameof(gamma));
        Finite(gammaPrime, nameof(gammaPrime));
        Positive(alpha, nameof(alpha));
        Width(m);
        var logM = Math.Log(m);
        var root = Math.Sqrt(alpha);
        return new PhaseScales(alpha, root * Math.Exp(-0.5 * (gamma + gammaPrime) * logM), root * Math.Exp(-0.5 * (gamma - gammaPrime) * logM));
    }

    /// <summary>
    /// The theoretical regime of (γ, γ′): linear when γ &lt; 1 or γ′ &gt; γ − 1, condensed when γ &gt; 1 and γ′ &lt; γ − 1,
    /// critical on the line between them (γ = 1 for γ′ ≤ 0, γ′ = γ − 1 for γ′ &gt; 0). A point within
    /// <paramref name="tolerance"/> of the line counts as on it.
    /// </summary>
    public static PhaseRegime TheoreticalRegime(double gamma, double gammaPrime, double tolerance = DefaultLineTolerance)
    {
        if (!(tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tolerance must be ≥ 0.");
        }

        if (!double.IsFinite(gamma) || !double.IsFinite(gammaPrime))
        {
            return PhaseRegime.Undetermined;
        }

        var onFlat = Math.Abs(gamma - 1) <= tolerance && gammaPrime <= tolerance;
        var onDiagonal = Math.Abs(gammaPrime - (gamma - 1)) <= tolerance && gammaPrime >= -tolerance;
        if (onFlat || onDiagonal)
        {
            return PhaseRegime.Critical;
        }

        return gamma < 1 || gammaPrime > gamma - 1 ? PhaseRegime.Linear : PhaseRegime.Condensed;
    }

    /// <summary>
    /// The critical line clipped to the rectangle [γ′min, γ′max] × [γmin, γmax] of the (γ′, γ) plane, for drawing: the
    /// flat piece γ = 1 for γ′ ≤ 0, then the diagonal γ = γ′ + 1 for γ′ ≥ 0. Pieces that fall outside the rectangle (or
    /// shrink to a point) are left out, so the result has 0, 1 or 2 segments, in order of increasing γ′.
    /// </summary>
    public static BoundarySegment[] CriticalLine(double gammaPrimeMin, double gammaPrimeMax, double gammaMin, double gammaMax)
    {
        Finite(gammaPrimeMin, nameof(gammaPrimeMin));
        Finite(gammaPrimeMax, nameof(gammaPrimeMax));
        Finite(gammaMin, nameof(gammaMin));
        Finite(gammaMax, nameof(gammaMax));
        if (gammaPrimeMin > gammaPrimeMax || gammaMin > gammaMax)
        {
            throw new ArgumentException("The rectangle's minimum exceeds its maximum.");
        }

        var segments = new List<BoundarySegment>(2);
        var flatHi = Math.Min(0.0, gammaPrimeMax);
        if (gammaMin <= 1 && 1 <= gammaMax && gammaPrimeMin < flatHi)
        {
            segments.Add(new BoundarySegment(gammaPrimeMin, 1, flatHi, 1));
        }

        // On the diagonal γ = γ′ + 1, so the γ range limits γ′ to [γmin − 1, γmax − 1].
        var diagonalLo = Math.Max(Math.Max(0.0, gammaPrimeMin), gammaMin - 1);
        var diagonalHi = Math.Min(gammaPrimeMax, gammaMax - 1);
        if (diagonalLo < diagonalHi)
        {
            segments.Add(new BoundarySegment(diagonalLo, diagonalLo + 1, diagonalHi, diagonalHi + 1));
        }

        return [.. segments];
    }

    /// <summary>
    /// S_w: the least-squares slope of log RelDis against log m over the widths of one (γ, γ′) cell (§2). Several runs
    /// at one width (seeds) are passed as repeated widths. Points whose RelDis has no finite logarithm are skipped and
    /// counted in <see cref="SlopeFit.Skipped"/>; with fewer than two usable points, or all usable points at one width,
    /// slope, intercept and standard error are NaN. With exactly two points the standard error is NaN (no degrees of
    /// freedom left to estimate the scatter).
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A width is not finite and positive (widths are declared, so this is a caller bug).</exception>
    public static SlopeFit Slope(ReadOnlySpan<double> widths, ReadOnlySpan<double> relDis)
    {
        Guard.Length(relDis.Length, widths.Length, nameof(relDis));
        var count = 0;
        double sumX = 0, sumY = 0;
        for (var i = 0; i < widths.Length; i++)
        {
            Positive(widths[i], nameof(widths));
            if (Usable(relDis[i]))
            {
                count++;
                sumX += Math.Log(widths[i]);
                sumY += Math.Log(relDis[i]);
            }
        }

        var skipped = widths.Length - count;
        if (count < 2)
        {
            return new SlopeFit(double.NaN, double.NaN, double.NaN, count, skipped);
        }

        // Centred sums (two passes) rather than Σx² − (Σx)²/n, which cancels badly when log m is large and the range small.
        double meanX = sumX / count, meanY = sumY / count, sxx = 0, sxy = 0;
        for (var i = 0; i < widths.Length; i++)
        {
            if (Usable(relDis[i]))
            {
                var dx = Math.Log(widths[i]) - meanX;
                sxx += dx * dx;
                sxy += dx * (Math.Log(relDis[i]) - meanY);
            }
        }

        if (sxx == 0)
        {
            return new SlopeFit(double.NaN, double.NaN, double.NaN, count, skipped);
        }

        var slope = sxy / sxx;
        var intercept = meanY - slope * meanX;
        var standardError = double.NaN;
        if (count > 2)
        {
            var residuals = 0.0;
            for (var i = 0; i < widths.Length; i++)
            {
                if (Usable(relDis[i]))
                {
                    var r = Math.Log(relDis[i]) - (intercept + slope * Math.Log(widths[i]));
                    residuals += r * r;
                }
            }

            standardError = Math.Sqrt(residuals / (count - 2) / sxx);
        }

        return new SlopeFit(slope, intercept, standardError, count, skipped);
    }

    /// <summary>The regime read from S_w (§2: S_w &lt; 0 linear, S_w &gt; 0 condensed): critical when |S_w| ≤ <paramref name="band"/>, undetermined when S_w is NaN.</summary>
    public static PhaseRegime ClassifySlope(double slope, double band = DefaultCriticalBand)
    {
        if (!(band >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(band), band, "band must be ≥ 0.");
        }

        if (!double.IsFinite(slope))
        {
            return PhaseRegime.Undetermined;
        }

        return Math.Abs(slope) <= band ? PhaseRegime.Critical : slope < 0 ? PhaseRegime.Linear : PhaseRegime.Condensed;
    }

    /// <summary>The regime of a fitted slope; see <see cref="ClassifySlope(double, double)"/>.</summary>
    public static PhaseRegime ClassifySlope(SlopeFit fit, double band = DefaultCriticalBand)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return ClassifySlope(fit.Slope, band);
    }

    private static bool Usable(double relDis) => relDis > 0 && double.IsFinite(relDis);

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
        }
    }

    private static void Finite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite.");
        }
    }

    private static void Width(double m)
    {
        if (!(m >= 2) || !double.IsFinite(m))
        {
            throw new ArgumentOutOfRangeException(nameof(m), m, "m must be a finite width ≥ 2 (log m divides).");
        }
    }
}
