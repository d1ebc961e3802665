using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// C = α·A·Bᵀ + β·C for a few outputs over a long reduction: B is n×k row-major with 2 ≤ n ≤ <see cref="MaxColumns"/>
/// (a dense layer's Z = X·Wᵀ with few outputs and many inputs, e.g. W2's 25 088 → 10 head). <see cref="GemmJob"/> would
/// run such a C as edge rows whose scalar columns are k-long dependent FMA chains; here the independent chains come
/// from the rows instead: blocks of 16 rows of A are transposed chunk by chunk so that one 8-lane vector holds one
/// column of A for 8 rows, and each output accumulates two such vectors against a broadcast element of B.
/// Every element of C is still the FMA chain acc = fma(A[i,p], B[j,p], acc) for p = 0..k−1 from acc = 0, followed by
/// the epilogue of <see cref="GemmJob"/> (α, β, bias, ReLU) — the same operations in the same order, so the results
/// are bit-identical to <see cref="GemmJob"/>'s for these shapes, for any partition or thread count.
/// </summary>
internal sealed unsafe class NarrowGemmJob : IParallelWork
{
    /// <summary>Largest n handled: the accumulators of a 16-row block live in a stack array of this many outputs.</summary>
    public const int MaxColumns = 16;

    private const int BlockRows = 16;
    private const int Group = 4;

    // Columns of A transposed per pass: 256 × 16 floats = 16 KiB, so the transposed chunk stays in L1 while every
    // group of outputs sweeps it.
    private const int Chunk = 256;

    private float* a;
    private float* b;
    private float* c;
    private int m;
    private int n;
    private int k;
    private float alpha;
    private float beta;
    private float* bias;
    private float* relu;

    public int Blocks { get; private set; }

    public void Set(float* a, float* b, float* c, int m, int n, int k, float alpha, float beta)
    {
        if (n < 2 || n > MaxColumns)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"The narrow GEMM takes 2..{MaxColumns} columns.");
        }

        this.a = a;
        this.b = b;
        this.c = c;
        this.m = m;
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        bias = null;
        relu = null;
        Blocks = (m + BlockRows - 1) / BlockRows;
    }

    /// <summary>Adds the dense-layer epilogue of <see cref="GemmJob.SetEpilogue"/>: a bias per column and, optionally, a ReLU copy.</summary>
    public void SetEpilogue(float* bias, float* relu)
    {
        this.bias = bias;
        this.relu = relu;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        var start = (int)((long)Blocks * part / parts);
        var end = (int)((long)Blocks * (part + 1) / parts);
        var transposed = stackalloc float[Chunk * BlockRows];
        // Two vectors (rows 0–7, rows 8–15) per output, padded to whole groups.
        var accumulators = stackalloc Vector256<float>[2 * MaxColumns];
        var rows = stackalloc float*[BlockRows];
        for (var block = start; block < end; block++)
        {
            var i0 = block * BlockRows;
            for (var r = 0; r < BlockRows; r++)
            {
                // Rows past the end repeat the last row: their lanes are computed and dropped, never stored.
                rows[r] = a + (long)Math.Min(i0 + r, m - 1) * k;
            }

            new Span<Vector256<float>>(accumulators, 2 * MaxColumns).Clear();
            for (var p0 = 0; p0 < k; p0 += Chunk)
            {
                var length = Math.Min(Chunk, k - p0);
                Transpose(rows, p0, length, transposed);
                for (var j0 = 0; j0 < n; j0 += Group)
                {
                    AccumulateGroup(transposed, p0, length, j0, accumulators);
                }
            }

            Finish(i0, Math.Min(BlockRows, m - i0), accumulators);
        }
    }

    /// <summary>transposed[p·16 + r] = A[row r, p0 + p] for p &lt; length: 8×8 register transposes, scalar for the tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(float** rows, int p0, int length, float* transposed)
    {
        for (var half = 0; half < BlockRows; half += 8)
        {
            var p = 0;
            if (Avx.IsSupported)
            {
                for (; p + 8 <= length; p += 8)
                {
                    Transpose8x8(rows + half, p0 + p, transposed + p * BlockRows + half);
                }
            }

            for (; p < length; p++)
            {
                for (var r = 0; r < 8; r++)
                {
                    transposed[p * BlockRows + half + r] = rows[half + r][p0 + p];
                }
            }
        }
    }

    /// <summary>Columns p..p+7 of 8 rows into 8 vectors, vector q = column p + q, stored BlockRows floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float** rows, int p, float* target)
    {
        var r0 = Avx.LoadVector256(rows[0] + p);
        var r1 = Avx.LoadVector256(rows[1] + p);
        var r2 = Avx.LoadVector256(rows[2] + p);
        var r3 = Avx.LoadVector256(rows[3] + p);
        var r4 = Avx.LoadVector256(rows[4] + p);
        var r5 = Avx.LoadVector256(rows[5] + p);
        var r6 = Avx.LoadVector256(rows[6] + p);
        var r7 = Avx.LoadVector256(rows[7] + p);

        // Interleave pairs of rows, then pairs of pairs: per 128-bit lane, s0 holds column 0 (lane 0) and 4 (lane 1) of
        // rows 0–3, s1 columns 1 and 5, and so on; the 128-bit permutes join rows 0–3 with rows 4–7.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(target, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(target + BlockRows, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(target + 2 * BlockRows, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(target + 3 * BlockRows, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(target + 4 * BlockRows, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(target + 5 * BlockRows, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(target + 6 * BlockRows, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(target + 7 * BlockRows, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>
    /// Outputs j0..j0+3 of the block over columns p0..p0+length−1: eight independent chains (4 outputs × 2 row vectors)
    /// keep both FMA ports busy. Outputs past n reuse row n−1 of B; their accumulators are never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AccumulateGroup(float* transposed, int p0, int length, int j0, Vector256<float>* accumulators)
    {
        var w0 = b + (long)Math.Min(j0, n - 1) * k + p0;
        var w1 = b + (long)Math.Min(j0 + 1, n - 1) * k + p0;
        var w2 = b + (long)Math.Min(j0 + 2, n - 1) * k + p0;
        var w3 = b + (long)Math.Min(j0 + 3, n - 1) * k + p0;
        var slot = accumulators + 2 * j0;
        Vector256<float> c00 = slot[0], c01 = slot[1], c10 = slot[2], c11 = slot[3];
        Vector256<float> c20 = slot[4], c21 = slot[5], c30 = slot[6], c31 = slot[7];
        var x = transposed;
        for (var p = 0; p < length; p++)
        {
            var x0 = Vector256.Load(x);
            var x1 = Vector256.Load(x + 8);
            var b0 = Vector256.Create(w0[p]);
            var b1 = Vector256.Create(w1[p]);
            var b2 = Vector256.Create(w2[p]);
            var b3 = Vector256.Create(w3[p]);
            c00 = Vector256.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x1, b0, c01);
            c10 = Vector256.FusedMultiplyAdd(x0, b1, c10);
            c11 = Vector256.FusedMultiplyAdd(x1, b1, c11);
            c20 = Vector256.FusedMultiplyAdd(x0, b2, c20);
            c21 = Vector256.FusedMultiplyAdd(x1, b2, c21);
            c30 = Vector256.FusedMultiplyAdd(x0, b3, c30);
            c31 = Vector256.FusedMultiplyAdd(x1, b3, c31);
            x += BlockRows;
        }

        slot[0] = c00;
        slot[1] = c01;
        slot[2] = c10;
        slot[3] = c11;
        slot[4] = c20;
        slot[5] = c21;
        slot[6] = c30;
        slot[7] = c31;
    }

    /// <summary>The epilogue of <see cref="GemmJob"/> per element, in its order: α·acc, then β·C by FMA, then bias, then ReLU.</summary>
    private void Finish(int i0, int validRows, Vector256<float>* accumulators)
    {
        var sums = (float*)accumulators;
        // GemmJob's edge rows clamp the first ⌊n/8⌋·8 columns with Vector256.Max and the rest with a comparison; they
        // differ for NaN, so each column uses the one GemmJob would.
        var vectorColumns = n / 8 * 8;
        for (var r = 0; r < validRows; r++)
        {
            var offset = (long)(i0 + r) * n;
            for (var j = 0; j < n; j++)
            {
                // Output j's vectors sit at 2j (rows 0–7) and 2j + 1 (rows 8–15): float index 16j + r.
                var value = alpha * sums[j * BlockRows + r];
                if (beta != 0)
                {
                    // β = 0 must not read C: it may hold garbage or NaN (BLAS semantics).
                    value = MathF.FusedMultiplyAdd(beta, c[offset + j], value);
                }

                if (bias != null)
                {
                    value += bias[j];
                }

                c[offset + j] = value;
                if (relu != null)
                {
                    relu[offset + j] = j < vectorColumns ? Vector256.Max(Vector256.Create(value), Vector256<float>.Zero).ToScalar() : value > 0 ? value : 0;
                }
            }
        }
    }
}
