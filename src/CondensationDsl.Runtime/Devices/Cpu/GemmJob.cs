using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// C = α·op(A)·B̂ + β·C where B̂ is k×n row-major (op(B), packed by the caller when B was transposed) and op(A) is read
/// through strides. Work is split into 4×16 tiles of C; each tile accumulates its k products in registers in order
/// p = 0..k−1, so every element of C has one fixed reduction order whatever the partition or thread count.
/// </summary>
internal sealed unsafe class GemmJob : IParallelWork
{
    private const int TileRows = 4;
    private const int TileColumns = 16;

    private float* a;
    private float* b;
    private float* c;
    private int m;
    private int n;
    private int k;
    private int rowStrideA;
    private int columnStrideA;
    private float alpha;
    private float beta;
    private int columnBlocks;
    private int rowBlocks;
    private bool columnMajor;

    // Optional epilogue of a fused dense forward pass (α = 1, β = 0): C += bias per column, then relu[·] = max(C, 0).
    private float* bias;
    private float* relu;

    public int Tiles { get; private set; }

    public void Set(float* a, int rowStrideA, int columnStrideA, float* b, float* c, int m, int n, int k, float alpha, float beta)
    {
        this.a = a;
        this.b = b;
        this.c = c;
        this.m = m;
        this.n = n;
        this.k = k;
        this.rowStrideA = rowStrideA;
        this.columnStrideA = columnStrideA;
        this.alpha = alpha;
        this.beta = beta;
        columnBlocks = (n + TileColumns - 1) / TileColumns;
        rowBlocks = (m + TileRows - 1) / TileRows;
        columnMajor = false;
        bias = null;
        relu = null;
        Tiles = rowBlocks * columnBlocks;
    }

    /// <summary>
    /// Visits the tiles of the product set last column block by column block (all rows of C for one 16-column strip of
    /// B, then the next), and runs partial row blocks through the 4×16 kernel. For C with few rows and many columns (the
    /// weight gradient dW = dZᵀ·X of a layer with few outputs) this reads B once instead of once per row block, while
    /// the strip (k × 16 floats) stays in cache across the row blocks. Each element keeps its reduction order.
    /// </summary>
    public void SetColumnMajor() => columnMajor = true;

    /// <summary>Adds the dense-layer epilogue to the product set last: a bias per column and, optionally, a ReLU copy.</summary>
    public void SetEpilogue(float* bias, float* relu)
    {
        this.bias = bias;
        this.relu = relu;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        if (k == 1)
        {
            // An outer product (1-D input layer, or dX of a scalar output): streaming whole rows stores faster than
            // tiles, and with a single product per element any split gives the same bits.
            var r0 = (int)((long)m * part / parts);
            var r1 = (int)((long)m * (part + 1) / parts);
            for (var i = r0; i < r1; i++)
            {
                OuterRow(i);
            }

            return;
        }

        var start = (int)((long)Tiles * part / parts);
        var end = (int)((long)Tiles * (part + 1) / parts);
        if (start >= end)
        {
            return;
        }

        if (columnMajor)
        {
            ColumnMajorTiles(start, end);
            return;
        }

        // Row and column block are stepped, not divided out per tile: with k = 1 a tile is a few instructions and an
        // integer division per tile would cost more than the tile.
        var i0 = start / columnBlocks * TileRows;
        var j0 = start % columnBlocks * TileColumns;
        for (var tile = start; tile < end; tile++)
        {
            var rows = Math.Min(TileRows, m - i0);
            var columns = Math.Min(TileColumns, n - j0);
            if (rows == TileRows && columns == TileColumns)
            {
                Kernel4x16(i0, j0);
            }
            else
            {
                for (var i = i0; i < i0 + rows; i++)
                {
                    EdgeRow(i, j0, columns);
                }
            }

            j0 += TileColumns;
            if (j0 >= n)
            {
                j0 = 0;
                i0 += TileRows;
            }
        }
    }

    /// <summary>Tiles start..end−1 numbered column block first; see <see cref="SetColumnMajor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ColumnMajorTiles(int start, int end)
    {
        var i0 = start % rowBlocks * TileRows;
        var j0 = start / rowBlocks * TileColumns;
        for (var tile = start; tile < end; tile++)
        {
            var columns = Math.Min(TileColumns, n - j0);
            if (columns == TileColumns)
            {
                Kernel4x16(i0, j0, Math.Min(TileRows, m - i0));
            }
            else
            {
                for (var i = i0; i < Math.Min(m, i0 + TileRows); i++)
                {
                    EdgeRow(i, j0, columns);
                }
            }

            i0 += TileRows;
            if (i0 >= m)
            {
                i0 = 0;
                j0 += TileColumns;
            }
        }
    }

    /// <summary>
    /// A 4×16 tile of C at (i0, j0) of which the first <paramref name="rows"/> rows exist: missing rows repeat the last
    /// one (the four FMA chains per column stay independent, so the real rows get the same bits) and are not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Kernel4x16(int i0, int j0, int rows = TileRows)
    {
        var a0 = a + (long)i0 * rowStrideA;
        var a1 = rows > 1 ? a0 + rowStrideA : a0;
        var a2 = rows > 2 ? a1 + rowStrideA : a1;
        var a3 = rows > 3 ? a2 + rowStrideA : a2;
        var bp = b + j0;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        long offsetA = 0;
        for (var p = 0; p < k; p++)
        {
            var b0 = Vector256.Load(bp);
            var b1 = Vector256.Load(bp + 8);
            var x0 = Vector256.Create(a0[offsetA]);
            var x1 = Vector256.Create(a1[offsetA]);
            var x2 = Vector256.Create(a2[offsetA]);
            var x3 = Vector256.Create(a3[offsetA]);
            c00 = Vector256.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x0, b1, c01);
            c10 = Vector256.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x1, b1, c11);
            c20 = Vector256.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x2, b1, c21);
            c30 = Vector256.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x3, b1, c31);
            bp += n;
            offsetA += columnStrideA;
        }

        var offset = (long)i0 * n + j0;
        Store(offset, j0, c00);
        Store(offset + 8, j0 + 8, c01);
        if (rows < 2)
        {
            return;
        }

        offset += n;
        Store(offset, j0, c10);
        Store(offset + 8, j0 + 8, c11);
        if (rows < 3)
        {
            return;
        }

        offset += n;
        Store(offset, j0, c20);
        Store(offset + 8, j0 + 8, c21);
        if (rows < 4)
        {
            return;
        }

        offset += n;
        Store(offset, j0, c30);
        Store(offset + 8, j0 + 8, c31);
    }

    /// <summary>Row i of C for k = 1: C[i, j] = α·(A[i, 0]·B[0, j]) (+ β·C, bias, ReLU as in <see cref="Store"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OuterRow(int i)
    {
        var scalar = a[(long)i * rowStrideA];
        var x = Vector256.Create(scalar);
        var rowOffset = (long)i * n;
        var j = 0;
        for (; j + 8 <= n; j += 8)
        {
            Store(rowOffset + j, j, x * Vector256.Load(b + j));
        }

        for (; j < n; j++)
        {
            var value = alpha * (scalar * b[j]);
            if (beta != 0)
            {
                value = MathF.FusedMultiplyAdd(beta, c[rowOffset + j], value);
            }

            if (bias != null)
            {
                value += bias[j];
            }

            c[rowOffset + j] = value;
            if (relu != null)
            {
                relu[rowOffset + j] = value > 0 ? value : 0;
            }
        }
    }

    /// <summary>One row of a partial tile: 8-wide vectors while they fit, then scalars, each in order p = 0..k−1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EdgeRow(int i, int j0, int columns)
    {
        var ai = a + (long)i * rowStrideA;
        var rowOffset = (long)i * n;
        var j = j0;
        for (; j + 8 <= j0 + columns; j += 8)
        {
            Vector256<float> acc = default;
            var bp = b + j;
            long offsetA = 0;
            for (var p = 0; p < k; p++)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(ai[offsetA]), Vector256.Load(bp), acc);
                bp += n;
                offsetA += columnStrideA;
            }

            Store(rowOffset + j, j, acc);
        }

        for (; j < j0 + columns; j++)
        {
            var acc = 0f;
            long offsetA = 0;
            var bp = b + j;
            for (var p = 0; p < k; p++)
            {
                acc = MathF.FusedMultiplyAdd(ai[offsetA], *bp, acc);
                bp += n;
                offsetA += columnStrideA;
            }

            var value = beta == 0 ? alpha * acc : MathF.FusedMultiplyAdd(beta, c[rowOffset + j], alpha * acc);
            if (bias != null)
            {
                value += bias[j];
            }

            c[rowOffset + j] = value;
            if (relu != null)
            {
                relu[rowOffset + j] = value > 0 ? value : 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(long offset, int column, Vector256<float> acc)
    {
        var destination = c + offset;
        // β = 0 must not read C: it may hold garbage or NaN (BLAS semantics).
        var value = alpha == 1 ? acc : acc * alpha;
        if (beta != 0)
        {
            value = Vector256.FusedMultiplyAdd(Vector256.Create(beta), Vector256.Load(destination), value);
        }

        if (bias != null)
        {
            value += Vector256.Load(bias + column);
        }

        Vector256.Store(value, destination);
        if (relu != null)
        {
            Vector256.Store(Vector256.Max(value, Vector256<float>.Zero), relu + offset);
        }
    }
}
