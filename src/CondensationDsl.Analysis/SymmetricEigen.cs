namespace CondensationDsl.Analysis;

/// <summary>
/// Eigenvalues of a symmetric n×n matrix in ascending order, and <see cref="Vectors"/> (n×n row-major) whose column j is a
/// unit eigenvector of <see cref="Values"/>[j]. <see cref="Sweeps"/> is how many Jacobi sweeps it took.
/// </summary>
public sealed record SymmetricEigenResult(double[] Values, double[] Vectors, int Size, int Sweeps);

/// <summary>
/// The inertia of a symmetric matrix: how many eigenvalues are positive, zero and negative, where |λ| ≤
/// <see cref="Threshold"/> (= relative tolerance · max|λ|) counts as zero.
/// </summary>
public sealed record EigenvalueSigns(int Positive, int Zero, int Negative, double Threshold);

/// <summary>Symmetric eigenproblems by the cyclic Jacobi method, and sign counts of the eigenvalues (SCIENCE.md §3 row 6.2).</summary>
/// <remarks>
/// Why Jacobi: the Hessians here are small (tens to a few hundred parameters), Jacobi is short, needs no library, is
/// backward stable (every eigenvalue within a few ε‖A‖ of the exact one, the scale the zero tolerance is relative to)
/// and gives orthonormal eigenvectors even for the repeated eigenvalues that splitting neurons creates.
/// </remarks>
public static class SymmetricEigen
{
    /// <summary>
    /// |λ| ≤ 1e-6·max|λ| counts as zero. The analytic Hessian and Jacobi are accurate to ~1e-15 of max|λ|, and a critical
    /// point found to gradient norm 1e-10 moves the Hessian by about as much; 1e-6 sits far above that noise while a
    /// curvature a million times below the largest one is, for these small nets, a flat direction in all but name. The
    /// same judgement (and constant) as <see cref="Multiplicity.RelativeTolerance"/>. Declared, never hidden: pass another.
    /// </summary>
    public const double DefaultZeroTolerance = 1e-6;

    /// <summary>The most sweeps before giving up; Jacobi converges quadratically and needs well under 20 for these sizes.</summary>
    public const int MaxSweeps = 100;

    /// <summary>
    /// Eigenvalues and eigenvectors of the symmetric n×n row-major <paramref name="matrix"/> (read as (A + Aᵀ)/2, so a
    /// finite-difference Hessian's rounding asymmetry does no harm). Cyclic Jacobi: sweep over all pairs p &lt; q in row
    /// order, rotating each a_pq to zero, until every off-diagonal entry is at most 4ε‖A‖_F (then the eigenvalues are
    /// off by at most about n·4ε‖A‖_F).
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is not n×n or has a non-finite entry.</exception>
    /// <exception cref="InvalidOperationException">No convergence within <see cref="MaxSweeps"/> sweeps (not expected for finite input).</exception>
    public static SymmetricEigenResult Decompose(ReadOnlySpan<double> matrix, int n)
    {
        Guard.NotNegative(n, nameof(n));
        Guard.Length(matrix.Length, n * n, nameof(matrix));
        var a = new double[n * n];
        var v = new double[n * n];
        var frobenius = 0.0;
        for (var p = 0; p < n; p++)
        {
            v[p * n + p] = 1;
            for (var q = 0; q < n; q++)
            {
                var entry = 0.5 * (matrix[p * n + q] + matrix[q * n + p]);
                if (!double.IsFinite(entry))
                {
                    throw new ArgumentException($"matrix[{p}, {q}] is not finite.", nameof(matrix));
                }

                a[p * n + q] = entry;
                frobenius += entry * entry;
            }
        }

        // Rounding in a rotation leaves off-diagonal entries of order ε‖A‖_F behind; 4ε‖A‖_F stops short of chasing them.
        var threshold = 4 * Math.Pow(2, -52) * Math.Sqrt(frobenius);
        var sweeps = 0;
        while (true)
        {
            var rotated = false;
            for (var p = 0; p < n - 1; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p * n + q]) > threshold)
                    {
                        Rotate(a, v, n, p, q);
                        rotated = true;
                    }
                }
            }

            if (!rotated)
            {
                break;
            }

            sweeps++;
            if (sweeps > MaxSweeps)
            {
                throw new InvalidOperationException($"Jacobi did not converge in {MaxSweeps} sweeps.");
            }
        }

        // Ascending order, eigenvectors moving with their values (insertion sort: n is small, and it is stable).
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        for (var i = 1; i < n; i++)
        {
            var current = order[i];
            var j = i - 1;
            while (j >= 0 && a[order[j] * n + order[j]] > a[current * n + current])
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }

        var values = new double[n];
        var vectors = new double[n * n];
        for (var j = 0; j < n; j++)
        {
            values[j] = a[order[j] * n + order[j]];
            for (var r = 0; r < n; r++)
            {
                vectors[r * n + j] = v[r * n + order[j]];
            }
        }

        return new SymmetricEigenResult(values, vectors, n, sweeps);
    }

    /// <summary>
    /// Counts eigenvalues by sign; |λ| ≤ <paramref name="relativeTolerance"/>·max|λ| counts as zero (all are zero when
    /// max|λ| = 0). See <see cref="DefaultZeroTolerance"/> for the default's reasoning.
    /// </summary>
    public static EigenvalueSigns CountSigns(ReadOnlySpan<double> eigenvalues, double relativeTolerance = DefaultZeroTolerance)
    {
        if (!(relativeTolerance >= 0) || !double.IsFinite(relativeTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeTolerance), relativeTolerance, "relativeTolerance must be finite and ≥ 0.");
        }

        var largest = 0.0;
        for (var i = 0; i < eigenvalues.Length; i++)
        {
            if (double.IsNaN(eigenvalues[i]))
            {
                throw new ArgumentException($"eigenvalues[{i}] is NaN.", nameof(eigenvalues));
            }

            largest = Math.Max(largest, Math.Abs(eigenvalues[i]));
        }

        var threshold = relativeTolerance * largest;
        int positive = 0, zero = 0, negative = 0;
        for (var i = 0; i < eigenvalues.Length; i++)
        {
            var value = eigenvalues[i];
            if (Math.Abs(value) <= threshold)
            {
                zero++;
            }
            else if (value > 0)
            {
                positive++;
            }
            else
            {
                negative++;
            }
        }

        return new EigenvalueSigns(positive, zero, negative, threshold);
    }

    // One Jacobi rotation J(p, q, θ) with A ← JᵀAJ chosen to zero a_pq, and V ← VJ. The small-angle root t = tan θ with
    // |θ| ≤ π/4 and the τ = s/(1 + c) update form keep rounding at the level of ε‖A‖ (Rutishauser's formulation).
    private static void Rotate(double[] a, double[] v, int n, int p, int q)
    {
        var apq = a[p * n + q];
        var app = a[p * n + p];
        var aqq = a[q * n + q];
        var theta = (aqq - app) / (2 * apq);
        // 1/(|θ| + √(θ² + 1)), written so a huge θ (tiny a_pq) does not overflow θ².
        var t = Math.Abs(theta) > 1e150 ? 0.5 / theta : Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        var c = 1 / Math.Sqrt(t * t + 1);
        var s = t * c;
        var tau = s / (1 + c);
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (var r = 0; r < n; r++)
        {
            if (r == p || r == q)
            {
                continue;
            }

            var arp = a[r * n + p];
            var arq = a[r * n + q];
            var newRp = arp - s * (arq + tau * arp);
            var newRq = arq + s * (arp - tau * arq);
            a[r * n + p] = newRp;
            a[p * n + r] = newRp;
            a[r * n + q] = newRq;
            a[q * n + r] = newRq;
        }

        for (var r = 0; r < n; r++)
        {
            var vrp = v[r * n + p];
            var vrq = v[r * n + q];
            v[r * n + p] = vrp - s * (vrq + tau * vrp);
            v[r * n + q] = vrq + s * (vrp - tau * vrq);
        }
    }
}
