using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The n = 1 case of GEMM (a network's scalar output layer): c = α·op(A)·b + β·c. The 4×16 tiles of <see cref="GemmJob"/>
/// would waste 15 of 16 lanes here, so op(A) = A uses row dot products and op(A) = Aᵀ uses column sweeps (axpy over
/// the rows of A). Each output keeps one fixed summation order independent of the partition.
/// </summary>
internal sealed unsafe class GemvJob : IParallelWork
{
    private const int ColumnBlock = 32;

    private float* a;
    private float* b;
    private float* c;
    private int m;
    private int k;
    private bool transposeA;
    private float alpha;
    private float beta;

    public int Blocks { get; private set; }

    public void Set(bool transposeA, float* a, float* b, float* c, int m, int k, float alpha, float beta)
    {
        this.transposeA = transposeA;
        this.a = a;
        this.b = b;
        this.c = c;
        this.m = m;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        Blocks = transposeA ? (m + ColumnBlock - 1) / ColumnBlock : m;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        var start = (int)((long)Blocks * part / parts);
        var end = (int)((long)Blocks * (part + 1) / parts);
        for (var block = start; block < end; block++)
        {
            if (transposeA)
            {
                Columns(block * ColumnBlock, Math.Min(ColumnBlock, m - block * ColumnBlock));
            }
            else
            {
                Finish(block, Kernels.Dot(a + (long)block * k, b, k));
            }
        }
    }

    /// <summary>c[i] for i in [i0, i0 + count): Σ_p A[p, i]·b[p], accumulated row by row of A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Columns(int i0, int count)
    {
        if (count == ColumnBlock)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            var row = a + i0;
            for (var p = 0; p < k; p++)
            {
                var x = Vector256.Create(b[p]);
                s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(row), s0);
                s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(row + 8), s1);
                s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(row + 16), s2);
                s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(row + 24), s3);
                row += m;
            }

            Span<float> sums = stackalloc float[ColumnBlock];
            s0.CopyTo(sums);
            s1.CopyTo(sums[8..]);
            s2.CopyTo(sums[16..]);
            s3.CopyTo(sums[24..]);
            for (var j = 0; j < ColumnBlock; j++)
            {
                Finish(i0 + j, sums[j]);
            }

            return;
        }

        for (var i = i0; i < i0 + count; i++)
        {
            var acc = 0f;
            var element = a + i;
            for (var p = 0; p < k; p++)
            {
                acc = MathF.FusedMultiplyAdd(b[p], *element, acc);
                element += m;
            }

            Finish(i, acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Finish(int i, float dot) => c[i] = beta == 0 ? alpha * dot : MathF.FusedMultiplyAdd(beta, c[i], alpha * dot);
}
