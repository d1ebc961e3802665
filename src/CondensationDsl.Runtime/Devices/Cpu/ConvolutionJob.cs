using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The CPU convolution as im2col + GEMM. Per image n, col_n (C·R·S × P·Q) holds the input patches, so
/// Y_n = W·col_n (+ bias), dcol_n = Wᵀ·dY_n (scattered back into dX_n by col2im) and dW = Σ_n dY_n·col_nᵀ.
/// Three modes, each one reusable job (no allocation per dispatch once the scratch has grown):
/// <list type="bullet">
/// <item><see cref="Mode.Forward"/>: parts split the images; each part has its own column buffer and GEMM job.</item>
/// <item><see cref="Mode.Columns"/>: parts split the images of a chunk; each writes col_n into the chunk's column
/// buffer and, when dX is wanted, dcol_n = Wᵀ·dY_n and col2im into dX_n.</item>
/// <item><see cref="Mode.WeightGradient"/>: parts split 4×2 blocks of dW; each block adds, image by image in order,
/// the dot products of the rows of dY_n with the rows of col_n (and the row sums of dY_n for db).</item>
/// </list>
/// Every output element is computed by one part with a summation order fixed by the shape alone, so the results are
/// bit-identical for any thread count.
/// </summary>
internal sealed unsafe class ConvolutionJob : IParallelWork
{
    /// <summary>Filters × patch rows of one dW block.</summary>
    public const int BlockFilters = 4;
    public const int BlockPatch = 2;

    /// <summary>Column-buffer floats per backward chunk (16 MiB): images are processed in chunks of this many columns.</summary>
    public const int ColumnBudget = 1 << 22;

    public enum Mode { Forward, Columns, WeightGradient }

    private Mode mode;
    private ConvShape s;
    private float* x;
    private float* w;
    private float* bias;
    private float* y;
    private float* dy;
    private float* dw;
    private float* db;
    private float* dx;
    private float* chunkColumns;
    private int firstImage;
    private int images;
    private int patchBlocks;

    private GemmJob[] gemms = [];
    private float[][] scratch = [];

    /// <summary>The number of units the current mode is split over.</summary>
    public int Units { get; private set; }

    /// <summary>Grows the per-part scratch (GEMM jobs and one C·R·S × P·Q buffer each) for <paramref name="parts"/> parts.</summary>
    public void Reserve(int parts, int columnLength)
    {
        if (gemms.Length < parts)
        {
            var grown = new GemmJob[parts];
            for (var i = 0; i < parts; i++)
            {
                grown[i] = i < gemms.Length ? gemms[i] : new GemmJob();
            }

            gemms = grown;
            Array.Resize(ref scratch, parts);
        }

        for (var i = 0; i < parts; i++)
        {
            if (scratch[i] is null || scratch[i].Length < columnLength)
            {
                scratch[i] = GC.AllocateArray<float>(Math.Max(columnLength, 1), pinned: true);
            }
        }
    }

    public void SetForward(in ConvShape shape, float* input, float* weight, float* bias, float* output)
    {
        mode = Mode.Forward;
        s = shape;
        x = input;
        w = weight;
        this.bias = bias;
        y = output;
        firstImage = 0;
        images = shape.Batch;
        Units = shape.Batch;
    }

    public void SetColumns(in ConvShape shape, float* input, float* weight, float* outputGradient, float* inputGradient, float* columns, int first, int count)
    {
        mode = Mode.Columns;
        s = shape;
        x = input;
        w = weight;
        dy = outputGradient;
        dx = inputGradient;
        chunkColumns = columns;
        firstImage = first;
        images = count;
        Units = count;
    }

    public void SetWeightGradient(in ConvShape shape, float* outputGradient, float* columns, float* weightGradient, float* biasGradient, int first, int count)
    {
        mode = Mode.WeightGradient;
        s = shape;
        dy = outputGradient;
        chunkColumns = columns;
        dw = weightGradient;
        db = biasGradient;
        firstImage = first;
        images = count;
        patchBlocks = (shape.PatchLength + BlockPatch - 1) / BlockPatch;
        Units = (shape.Filters + BlockFilters - 1) / BlockFilters * patchBlocks;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        var u0 = (int)((long)Units * part / parts);
        var u1 = (int)((long)Units * (part + 1) / parts);
        if (u0 >= u1)
        {
            return;
        }

        switch (mode)
        {
            case Mode.Forward:
                Forward(part, u0, u1);
                break;
            case Mode.Columns:
                Columns(part, u0, u1);
                break;
            case Mode.WeightGradient:
                // Image by image, so one image's dY and columns stay in cache while this part's blocks read them;
                // each dW element still adds the images in order.
                for (var i = 0; i < images; i++)
                {
                    for (var unit = u0; unit < u1; unit++)
                    {
                        WeightBlock(unit / patchBlocks * BlockFilters, unit % patchBlocks * BlockPatch, i);
                    }
                }

                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Forward(int part, int n0, int n1)
    {
        var crs = s.PatchLength;
        var pq = s.OutPositions;
        var gemm = gemms[part];
        fixed (float* col = scratch[part])
        {
            for (var n = n0; n < n1; n++)
            {
                Im2Col(s, x + (long)n * s.Channels * s.Height * s.Width, col);
                var output = y + (long)n * s.Filters * pq;
                if (bias != null)
                {
                    for (var k = 0; k < s.Filters; k++)
                    {
                        new Span<float>(output + (long)k * pq, pq).Fill(bias[k]);
                    }
                }

                // Y_n = W·col_n (+ Y_n holding the bias: β = 1 adds it with the product's single rounding).
                gemm.Set(w, crs, 1, col, output, s.Filters, pq, crs, 1f, bias != null ? 1f : 0f);
                gemm.Execute(0, 1);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Columns(int part, int u0, int u1)
    {
        var crs = s.PatchLength;
        var pq = s.OutPositions;
        var imageLength = (long)s.Channels * s.Height * s.Width;
        var gemm = gemms[part];
        fixed (float* dcol = scratch[part])
        {
            for (var u = u0; u < u1; u++)
            {
                var n = firstImage + u;
                Im2Col(s, x + n * imageLength, chunkColumns + (long)u * crs * pq);
                if (dx != null)
                {
                    // dcol = Wᵀ·dY_n: op(A) = Wᵀ (C·R·S × K) read through strides.
                    gemm.Set(w, 1, crs, dy + (long)n * s.Filters * pq, dcol, crs, pq, s.Filters, 1f, 0f);
                    gemm.Execute(0, 1);
                    Col2Im(s, dcol, dx + n * imageLength);
                }
            }
        }
    }

    /// <summary>dW[k0..k0+4, j0..j0+2] (and db[k0..k0+4] for the first patch block) += image i of the chunk's terms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WeightBlock(int k0, int j0, int i)
    {
        var crs = s.PatchLength;
        var pq = s.OutPositions;
        var kCount = Math.Min(BlockFilters, s.Filters - k0);
        var jCount = Math.Min(BlockPatch, crs - j0);
        var withBias = db != null && j0 == 0;
        {
            var dyImage = dy + (long)(firstImage + i) * s.Filters * pq;
            var col = chunkColumns + (long)i * crs * pq;
            if (kCount == BlockFilters && jCount == BlockPatch)
            {
                Dot4x2(dyImage + (long)k0 * pq, col + (long)j0 * pq, pq, dw + (long)k0 * crs + j0, crs);
            }
            else
            {
                for (var k = k0; k < k0 + kCount; k++)
                {
                    for (var j = j0; j < j0 + jCount; j++)
                    {
                        dw[(long)k * crs + j] += Dot(dyImage + (long)k * pq, col + (long)j * pq, pq);
                    }
                }
            }

            if (withBias)
            {
                for (var k = k0; k < k0 + kCount; k++)
                {
                    db[k] += Sum(dyImage + (long)k * pq, pq);
                }
            }
        }
    }

    /// <summary>d[a·stride + b] += Σ_t g_a[t]·c_b[t] for four rows g (stride length) and two rows c; each of the eight
    /// sums is the same as <see cref="Dot"/> gives (8 lanes in order, lanes added, then the tail), so edge blocks
    /// and full blocks sum alike.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x2(float* g, float* c, int length, float* d, int stride)
    {
        var g0 = g;
        var g1 = g0 + length;
        var g2 = g1 + length;
        var g3 = g2 + length;
        var c0 = c;
        var c1 = c0 + length;
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
        var t = 0;
        for (; t + 8 <= length; t += 8)
        {
            var v0 = Vector256.Load(c0 + t);
            var v1 = Vector256.Load(c1 + t);
            var x0 = Vector256.Load(g0 + t);
            a00 = Vector256.FusedMultiplyAdd(x0, v0, a00);
            a01 = Vector256.FusedMultiplyAdd(x0, v1, a01);
            var x1 = Vector256.Load(g1 + t);
            a10 = Vector256.FusedMultiplyAdd(x1, v0, a10);
            a11 = Vector256.FusedMultiplyAdd(x1, v1, a11);
            var x2 = Vector256.Load(g2 + t);
            a20 = Vector256.FusedMultiplyAdd(x2, v0, a20);
            a21 = Vector256.FusedMultiplyAdd(x2, v1, a21);
            var x3 = Vector256.Load(g3 + t);
            a30 = Vector256.FusedMultiplyAdd(x3, v0, a30);
            a31 = Vector256.FusedMultiplyAdd(x3, v1, a31);
        }

        float s00 = Vector256.Sum(a00), s01 = Vector256.Sum(a01), s10 = Vector256.Sum(a10), s11 = Vector256.Sum(a11);
        float s20 = Vector256.Sum(a20), s21 = Vector256.Sum(a21), s30 = Vector256.Sum(a30), s31 = Vector256.Sum(a31);
        for (; t < length; t++)
        {
            s00 = MathF.FusedMultiplyAdd(g0[t], c0[t], s00);
            s01 = MathF.FusedMultiplyAdd(g0[t], c1[t], s01);
            s10 = MathF.FusedMultiplyAdd(g1[t], c0[t], s10);
            s11 = MathF.FusedMultiplyAdd(g1[t], c1[t], s11);
            s20 = MathF.FusedMultiplyAdd(g2[t], c0[t], s20);
            s21 = MathF.FusedMultiplyAdd(g2[t], c1[t], s21);
            s30 = MathF.FusedMultiplyAdd(g3[t], c0[t], s30);
            s31 = MathF.FusedMultiplyAdd(g3[t], c1[t], s31);
        }

        d[0] += s00;
        d[1] += s01;
        d += stride;
        d[0] += s10;
        d[1] += s11;
        d += stride;
        d[0] += s20;
        d[1] += s21;
        d += stride;
        d[0] += s30;
        d[1] += s31;
    }

    /// <summary>Σ x[t]·y[t]: one 8-lane accumulator in order, its lanes added, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* x, float* y, int length)
    {
        Vector256<float> acc = default;
        var t = 0;
        for (; t + 8 <= length; t += 8)
        {
            acc = Vector256.FusedMultiplyAdd(Vector256.Load(x + t), Vector256.Load(y + t), acc);
        }

        var sum = Vector256.Sum(acc);
        for (; t < length; t++)
        {
            sum = MathF.FusedMultiplyAdd(x[t], y[t], sum);
        }

        return sum;
    }

    /// <summary>Σ v[t]: one 8-lane accumulator in order, its lanes added, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(float* v, int length)
    {
        Vector256<float> acc = default;
        var t = 0;
        for (; t + 8 <= length; t += 8)
        {
            acc += Vector256.Load(v + t);
        }

        var sum = Vector256.Sum(acc);
        for (; t < length; t++)
        {
            sum += v[t];
        }

        return sum;
    }

    /// <summary>col[(c·R + r)·S + s, p·Q + q] = image[c, p·stride + r − pad, q·stride + s − pad], zero outside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Im2Col(in ConvShape shape, float* image, float* col)
    {
        int height = shape.Height, width = shape.Width, stride = shape.Stride, pad = shape.Padding;
        int outHeight = shape.OutHeight, outWidth = shape.OutWidth;
        var row = col;
        for (var c = 0; c < shape.Channels; c++)
        {
            var plane = image + (long)c * height * width;
            for (var r = 0; r < shape.KernelHeight; r++)
            {
                for (var sx = 0; sx < shape.KernelWidth; sx++)
                {
                    ValidColumns(sx, width, outWidth, stride, pad, out var q0, out var q1);
                    for (var p = 0; p < outHeight; p++)
                    {
                        var target = row + (long)p * outWidth;
                        var ih = p * stride + r - pad;
                        if ((uint)ih >= (uint)height || q0 >= q1)
                        {
                            new Span<float>(target, outWidth).Clear();
                            continue;
                        }

                        new Span<float>(target, q0).Clear();
                        var source = plane + (long)ih * width + sx - pad;
                        if (stride == 1)
                        {
                            new ReadOnlySpan<float>(source + q0, q1 - q0).CopyTo(new Span<float>(target + q0, q1 - q0));
                        }
                        else
                        {
                            for (var q = q0; q < q1; q++)
                            {
                                target[q] = source[(long)q * stride];
                            }
                        }

                        new Span<float>(target + q1, outWidth - q1).Clear();
                    }

                    row += (long)outHeight * outWidth;
                }
            }
        }
    }

    /// <summary>image = 0, then image[c, p·stride + r − pad, q·stride + s − pad] += col[(c·R + r)·S + s, p·Q + q] for
    /// the positions inside the image, in the order c, r, s, p, q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Col2Im(in ConvShape shape, float* col, float* image)
    {
        int height = shape.Height, width = shape.Width, stride = shape.Stride, pad = shape.Padding;
        int outHeight = shape.OutHeight, outWidth = shape.OutWidth;
        new Span<float>(image, shape.Channels * height * width).Clear();
        var row = col;
        for (var c = 0; c < shape.Channels; c++)
        {
            var plane = image + (long)c * height * width;
            for (var r = 0; r < shape.KernelHeight; r++)
            {
                for (var sx = 0; sx < shape.KernelWidth; sx++)
                {
                    ValidColumns(sx, width, outWidth, stride, pad, out var q0, out var q1);
                    for (var p = 0; p < outHeight && q0 < q1; p++)
                    {
                        var ih = p * stride + r - pad;
                        if ((uint)ih >= (uint)height)
                        {
                            continue;
                        }

                        var source = row + (long)p * outWidth;
                        var target = plane + (long)ih * width + sx - pad;
                        if (stride == 1)
                        {
                            var q = q0;
                            for (; q + 8 <= q1; q += 8)
                            {
                                Vector256.Store(Vector256.Load(target + q) + Vector256.Load(source + q), target + q);
                            }

                            for (; q < q1; q++)
                            {
                                target[q] += source[q];
                            }
                        }
                        else
                        {
                            for (var q = q0; q < q1; q++)
                            {
                                target[(long)q * stride] += source[q];
                            }
                        }
                    }

                    row += (long)outHeight * outWidth;
                }
            }
        }
    }

    /// <summary>The output columns [q0, q1) whose input column q·stride + sx − pad lies in [0, width).</summary>
    private static void ValidColumns(int sx, int width, int outWidth, int stride, int pad, out int q0, out int q1)
    {
        var first = pad - sx;
        q0 = first <= 0 ? 0 : Math.Min(outWidth, (first + stride - 1) / stride);
        var last = width - 1 + pad - sx;
        q1 = last < 0 ? 0 : Math.Min(outWidth, last / stride + 1);
        if (q1 < q0)
        {
            q1 = q0;
        }
    }
}
