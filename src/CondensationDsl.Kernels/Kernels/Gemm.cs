using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// C (m×n) = alpha·op(A)·op(B) + beta·C, row-major, as a 16×16 shared-memory tiled kernel: each group computes one
/// 16×16 block of C; each thread one element. Each element's dot product is summed p = 0, 1, …, k−1 in order
/// (tiles in order, then within the tile in order; padding adds exact zeros), so the result does not depend on the
/// launch geometry and reruns are bit-identical.
/// <see cref="Simple"/> computes the same sums in the same order without shared memory: ILGPU's CPU simulator runs it
/// far faster (no group barriers across 256 simulated threads), and it suits k = 1 outer products.
/// Checked by DeviceConformanceTests.Gemm_MatchesFloat64 (all transpose flags, beta ≠ 0, odd sizes), run for both
/// kernels (IlgpuCpuConformanceTests uses Simple, IlgpuCpuTiledGemmConformanceTests and CUDA use Tiled).
/// </summary>
public static class GemmKernels
{
    /// <summary>Tile edge; a group has Tile × Tile threads, so the accelerator must allow 256 threads per group.</summary>
    public const int Tile = 16;

    /// <summary>One thread per element of C; index (column, row) so neighbouring threads write neighbouring columns.</summary>
    public static void Simple(Index2D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmArguments s)
    {
        int column = index.X;
        int row = index.Y;
        float sum = 0f;
        for (int p = 0; p < s.K; p++)
        {
            float va = s.TransposeA != 0 ? a[p * s.M + row] : a[row * s.K + p];
            float vb = s.TransposeB != 0 ? b[column * s.K + p] : b[p * s.N + column];
            sum += va * vb;
        }
        int i = row * s.N + column;
        c[i] = s.Beta == 0f ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[i];
    }

    /// <summary>Launch with grid (⌈n/Tile⌉, ⌈m/Tile⌉) and group (Tile, Tile).</summary>
    public static void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmArguments s)
    {
        var tileA = SharedMemory.Allocate<float>(Tile * Tile);
        var tileB = SharedMemory.Allocate<float>(Tile * Tile);
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int row = Grid.IdxY * Tile + ty; // index into m
        int column = Grid.IdxX * Tile + tx; // index into n

        float sum = 0f;
        for (int t0 = 0; t0 < s.K; t0 += Tile)
        {
            // Thread (tx, ty) stages A[row, t0+tx] and B[t0+ty, column]; out-of-range entries are zero.
            int pa = t0 + tx;
            float va = 0f;
            if (row < s.M && pa < s.K)
            {
                va = s.TransposeA != 0 ? a[pa * s.M + row] : a[row * s.K + pa];
            }
            tileA[ty * Tile + tx] = va;

            int pb = t0 + ty;
            float vb = 0f;
            if (pb < s.K && column < s.N)
            {
                vb = s.TransposeB != 0 ? b[column * s.K + pb] : b[pb * s.N + column];
            }
            tileB[ty * Tile + tx] = vb;
            Group.Barrier();

            for (int p = 0; p < Tile; p++)
            {
                sum += tileA[ty * Tile + p] * tileB[p * Tile + tx];
            }
            Group.Barrier();
        }

        if (row < s.M && column < s.N)
        {
            int index = row * s.N + column;
            // beta = 0 does not read C (BLAS semantics), so stale NaNs in C cannot leak into the result.
            c[index] = s.Beta == 0f ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[index];
        }
    }
}

/// <summary>GEMM's shape and scalars, packed in one struct (flags as ints: kernel arguments stay blittable).</summary>
public struct GemmArguments
{
    public int M;
    public int N;
    public int K;
    public int TransposeA;
    public int TransposeB;
    public float Alpha;
    public float Beta;
}
