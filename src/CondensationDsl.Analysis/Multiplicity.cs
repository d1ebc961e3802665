namespace CondensationDsl.Analysis;

/// <summary>
/// The multiplicity p of an activation σ (SCIENCE.md §2): the smallest k ≥ 1 with σ^(k)(0) ≠ 0. Early in training with
/// small initialization a layer condenses onto at most 2p directions. Computed numerically from any function, so an
/// activation written by a user gets it too, not only the built-in ones.
/// </summary>
/// <remarks>
/// Method, all in float64:
/// <list type="number">
/// <item>Kink test: the one-sided first derivatives at 0 (second-order one-sided stencils, step <see cref="KinkStep"/>)
/// must agree to <see cref="KinkTolerance"/> of the function's typical slope on [−h, h]; ReLU (1 vs 0) fails it.</item>
/// <item>A least-squares polynomial of degree <see cref="FitDegree"/> in t = x/h is fitted at <see cref="FitPoints"/>
/// Chebyshev points of [−h, h], h = <see cref="HalfWidth"/> (Householder QR, so the fit is well conditioned). Its
/// coefficient a_k equals σ^(k)(0) h^k / k!, the size of the k-th Taylor term on the interval.</item>
/// <item>If the fit misses the function by more than <see cref="FitTolerance"/> of its variation, σ is not smooth (or
/// not analytic enough) near 0: undefined.</item>
/// <item>a_k counts as zero when |a_k| ≤ <see cref="RelativeTolerance"/> · max_j |a_j| (the scale of σ's variation
/// near 0), or below the rounding floor <see cref="RoundingTolerance"/> · max|σ| (a large constant offset, like
/// softplus's log 2, leaves that much noise in every coefficient). p is the first order 1..<see cref="MaxOrder"/>
/// that is not zero.</item>
/// </list>
/// So a derivative a million times smaller than σ's variation on [−0.2, 0.2] is treated as zero; that is a numerical
/// judgement, adequate for activations, not a proof. Functions whose Taylor series at 0 converges only on a radius
/// well under 0.2 fail the fit and get "undefined".
/// </remarks>
public static class Multiplicity
{
    /// <summary>The highest order examined; a function flat to order 6 gets "undefined".</summary>
    public const int MaxOrder = 6;

    public const double HalfWidth = 0.2;
    public const int FitDegree = 12;
    public const int FitPoints = 41;
    public const double RelativeTolerance = 1e-6;
    public const double RoundingTolerance = 1e-10;
    public const double FitTolerance = 1e-6;
    public const double KinkStep = 1e-4;
    public const double KinkTolerance = 1e-3;

    /// <summary>p of <paramref name="sigma"/>, or null when undefined: not smooth at 0, constant near 0, or flat beyond <see cref="MaxOrder"/>.</summary>
    public static int? Of(Func<double, double> sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        var x = new double[FitPoints];
        var y = new double[FitPoints];
        var f0 = sigma(0);
        double variation = 0, maxAbs = Math.Abs(f0);
        for (var i = 0; i < FitPoints; i++)
        {
            // Chebyshev points cluster at the ends, which keeps the polynomial fit from oscillating there.
            x[i] = Math.Cos(Math.PI * (i + 0.5) / FitPoints);
            y[i] = sigma(x[i] * HalfWidth);
            if (!double.IsFinite(y[i]) || !double.IsFinite(f0))
            {
                return null;
            }

            variation = Math.Max(variation, Math.Abs(y[i] - f0));
            maxAbs = Math.Max(maxAbs, Math.Abs(y[i]));
        }

        if (variation <= RoundingTolerance * maxAbs || HasKink(sigma, f0, variation / HalfWidth))
        {
            return null;
        }

        var (coefficients, residual) = PolynomialFit(x, y, FitDegree);
        if (residual > FitTolerance * variation)
        {
            return null;
        }

        var scale = 0.0;
        for (var k = 1; k <= FitDegree; k++)
        {
            scale = Math.Max(scale, Math.Abs(coefficients[k]));
        }

        var zero = Math.Max(RelativeTolerance * scale, RoundingTolerance * maxAbs);
        for (var k = 1; k <= MaxOrder; k++)
        {
            if (Math.Abs(coefficients[k]) > zero)
            {
                return k;
            }
        }

        return null;
    }

    /// <summary>The number of condensed directions early in training is at most 2p (null when p is undefined).</summary>
    public static int? DirectionBound(int? multiplicity) => multiplicity * 2;

    /// <summary>One-sided derivatives at 0 that differ by more than <see cref="KinkTolerance"/> of the typical slope.</summary>
    private static bool HasKink(Func<double, double> sigma, double f0, double typicalSlope)
    {
        const double h = KinkStep;

        // Second-order one-sided stencils: exact for quadratics, so a smooth σ with σ''(0) ≠ 0 shows no false kink.
        var right = (-3 * f0 + 4 * sigma(h) - sigma(2 * h)) / (2 * h);
        var left = (3 * f0 - 4 * sigma(-h) + sigma(-2 * h)) / (2 * h);
        return !double.IsFinite(right) || !double.IsFinite(left) || Math.Abs(right - left) > KinkTolerance * typicalSlope;
    }

    /// <summary>Least squares y ≈ Σ c_k x^k by Householder QR of the Vandermonde matrix; returns c and the largest residual.</summary>
    private static (double[] Coefficients, double MaxResidual) PolynomialFit(double[] x, double[] y, int degree)
    {
        int n = x.Length, m = degree + 1;
        var a = new double[n, m];
        for (var i = 0; i < n; i++)
        {
            var power = 1.0;
            for (var k = 0; k < m; k++, power *= x[i])
            {
                a[i, k] = power;
            }
        }

        var b = (double[])y.Clone();
        for (var k = 0; k < m; k++)
        {
            var norm = 0.0;
            for (var i = k; i < n; i++)
            {
                norm += a[i, k] * a[i, k];
            }

            norm = Math.Sqrt(norm);
            var alpha = a[k, k] > 0 ? -norm : norm;
            var v = new double[n];
            v[k] = a[k, k] - alpha;
            for (var i = k + 1; i < n; i++)
            {
                v[i] = a[i, k];
            }

            var vv = 0.0;
            for (var i = k; i < n; i++)
            {
                vv += v[i] * v[i];
            }

            if (vv == 0)
            {
                continue;
            }

            for (var j = k; j < m; j++)
            {
                Reflect(v, vv, k, n, i => a[i, j], (i, value) => a[i, j] = value);
            }

            Reflect(v, vv, k, n, i => b[i], (i, value) => b[i] = value);
        }

        var c = new double[m];
        for (var k = m - 1; k >= 0; k--)
        {
            var sum = b[k];
            for (var j = k + 1; j < m; j++)
            {
                sum -= a[k, j] * c[j];
            }

            c[k] = sum / a[k, k];
        }

        var residual = 0.0;
        for (var i = 0; i < n; i++)
        {
            var p = 0.0;
            for (var k = m - 1; k >= 0; k--)
            {
                p = p * x[i] + c[k];
            }

            residual = Math.Max(residual, Math.Abs(p - y[i]));
        }

        return (c, residual);
    }

    /// <summary>Applies the reflection I − 2vvᵀ/(vᵀv) to one column (rows k..n−1).</summary>
    private static void Reflect(double[] v, double vv, int k, int n, Func<int, double> get, Action<int, double> set)
    {
        var dot = 0.0;
        for (var i = k; i < n; i++)
        {
            dot += v[i] * get(i);
        }

        var factor = 2 * dot / vv;
        for (var i = k; i < n; i++)
        {
            set(i, get(i) - factor * v[i]);
        }
    }
}
