using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The pooling passes as one reusable job, split over image planes (n, c): every plane is computed by one thread with a
/// fixed order of operations, so results are bit-identical for any thread count. Summation orders are the ILGPU kernels'
/// (PoolingKernels): average pooling sums each window column by column (Σ_kw Σ_kh), the backward passes add
/// contributions in row-major output order.
/// </summary>
internal sealed unsafe class PoolJob : IParallelWork
{
    public enum Operation { MaxForward, MaxBackward, AvgForward, AvgBackward }

    // Scratch rows up to this many floats live on the stack; wider images use a heap array per part.
    private const int StackScratch = 2048;

    private Operation operation;
    private PoolShape shape;
    private float* p0;
    private float* p1;
    private float* p2;

    /// <summary>The number of units (image planes) the operation is split over.</summary>
    public int Units { get; private set; }

    public void Set(Operation operation, PoolShape shape, float* p0, float* p1, float* p2)
    {
        this.operation = operation;
        this.shape = shape;
        this.p0 = p0;
        this.p1 = p1;
        this.p2 = p2;
        Units = shape.Planes;
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

        var s = shape;
        long inPlane = s.InputPlaneLength;
        long outPlane = s.OutputPlaneLength;
        switch (operation)
        {
            case Operation.MaxForward:
                for (var p = u0; p < u1; p++)
                {
                    MaxForward(s, p0 + p * inPlane, p1 + p * outPlane, p2 + p * outPlane);
                }

                break;
            case Operation.MaxBackward:
                for (var p = u0; p < u1; p++)
                {
                    MaxBackward(s, p0 + p * outPlane, p1 + p * outPlane, p2 + p * inPlane);
                }

                break;
            case Operation.AvgForward:
            {
                var n = s.Width;
                float[]? heap = n > StackScratch ? GC.AllocateUninitializedArray<float>(n, pinned: true) : null;
                var stack = stackalloc float[heap is null ? n : 1];
                fixed (float* h = heap)
                {
                    var scratch = heap is null ? stack : h;
                    for (var p = u0; p < u1; p++)
                    {
                        AvgForward(s, p0 + p * inPlane, p1 + p * outPlane, scratch);
                    }
                }

                break;
            }

            case Operation.AvgBackward:
            {
                var n = s.OutWidth;
                float[]? heap = n > StackScratch ? GC.AllocateUninitializedArray<float>(n, pinned: true) : null;
                var stack = stackalloc float[heap is null ? n : 1];
                fixed (float* h = heap)
                {
                    var scratch = heap is null ? stack : h;
                    for (var p = u0; p < u1; p++)
                    {
                        AvgBackward(s, p0 + p * outPlane, p1 + p * inPlane, scratch);
                    }
                }

                break;
            }
        }
    }

    /// <summary>Max over each window, scanning it row-major and keeping the first maximum (strict &gt;).</summary>
    private static void MaxForward(PoolShape s, float* input, float* output, float* argmax)
    {
        int width = s.Width, outWidth = s.OutWidth, stride = s.Stride;
        for (var oh = 0; oh < s.OutHeight; oh++)
        {
            for (var ow = 0; ow < outWidth; ow++)
            {
                var h0 = oh * stride;
                var w0 = ow * stride;
                var best = input[h0 * width + w0];
                var bestIndex = h0 * width + w0;
                for (var kh = 0; kh < s.WindowHeight; kh++)
                {
                    var row = (h0 + kh) * width;
                    for (var kw = 0; kw < s.WindowWidth; kw++)
                    {
                        var v = input[row + w0 + kw];
                        if (v > best)
                        {
                            best = v;
                            bestIndex = row + w0 + kw;
                        }
                    }
                }

                output[oh * outWidth + ow] = best;
                argmax[oh * outWidth + ow] = bestIndex;
            }
        }
    }

    /// <summary>Zeroes the plane, then adds each output gradient at its window's argmax, in row-major output order
    /// (the order in which the ILGPU kernel gathers them). Entries that are not a position in their window are skipped.</summary>
    private static void MaxBackward(PoolShape s, float* outputGradient, float* argmax, float* inputGradient)
    {
        int width = s.Width, outWidth = s.OutWidth, stride = s.Stride;
        new Span<float>(inputGradient, s.InputPlaneLength).Clear();
        for (var oh = 0; oh < s.OutHeight; oh++)
        {
            for (var ow = 0; ow < outWidth; ow++)
            {
                var a = argmax[oh * outWidth + ow];
                if (!(a >= 0 && a < s.InputPlaneLength))
                {
                    continue;
                }

                var index = (int)a;
                var h = index / width;
                var w = index - h * width;
                if (index != a || h < oh * stride || h >= oh * stride + s.WindowHeight || w < ow * stride || w >= ow * stride + s.WindowWidth)
                {
                    continue;
                }

                inputGradient[index] += outputGradient[oh * outWidth + ow];
            }
        }
    }

    /// <summary>
    /// For each output row: column sums over the window's rows (vectorised across the image width), then per output
    /// element the sum of its WindowWidth column sums (vectorised across outputs when the stride is 1), divided by the
    /// window length.
    /// </summary>
    private static void AvgForward(PoolShape s, float* input, float* output, float* columns)
    {
        int width = s.Width, outWidth = s.OutWidth, stride = s.Stride, windowWidth = s.WindowWidth;
        var used = (outWidth - 1) * stride + windowWidth;
        float count = s.WindowLength;
        var countVector = Vector256.Create(count);
        for (var oh = 0; oh < s.OutHeight; oh++)
        {
            var top = input + (long)oh * stride * width;
            var w = 0;
            for (; w + 8 <= used; w += 8)
            {
                var sum = Vector256<float>.Zero;
                for (var kh = 0; kh < s.WindowHeight; kh++)
                {
                    sum += Vector256.Load(top + kh * width + w);
                }

                sum.Store(columns + w);
            }

            for (; w < used; w++)
            {
                var sum = 0f;
                for (var kh = 0; kh < s.WindowHeight; kh++)
                {
                    sum += top[kh * width + w];
                }

                columns[w] = sum;
            }

            var target = output + oh * outWidth;
            var ow = 0;
            if (stride == 1)
            {
                for (; ow + 8 <= outWidth; ow += 8)
                {
                    var sum = Vector256<float>.Zero;
                    for (var kw = 0; kw < windowWidth; kw++)
                    {
                        sum += Vector256.Load(columns + ow + kw);
                    }

                    (sum / countVector).Store(target + ow);
                }
            }

            for (; ow < outWidth; ow++)
            {
                var sum = 0f;
                var first = columns + ow * stride;
                for (var kw = 0; kw < windowWidth; kw++)
                {
                    sum += first[kw];
                }

                target[ow] = sum / count;
            }
        }
    }

    /// <summary>
    /// For each input row h: the sums over the output rows whose windows contain h (vectorised across output columns),
    /// then per input element the sum over the output columns whose windows contain it, divided by the window length.
    /// </summary>
    private static void AvgBackward(PoolShape s, float* outputGradient, float* inputGradient, float* rowSums)
    {
        int width = s.Width, outWidth = s.OutWidth, stride = s.Stride;
        float count = s.WindowLength;
        for (var h = 0; h < s.Height; h++)
        {
            var (ohLo, ohHi) = Covering(h, s.WindowHeight, stride, s.OutHeight);
            var target = inputGradient + (long)h * width;
            if (ohLo > ohHi)
            {
                new Span<float>(target, width).Clear();
                continue;
            }

            var ow = 0;
            for (; ow + 8 <= outWidth; ow += 8)
            {
                var sum = Vector256<float>.Zero;
                for (var oh = ohLo; oh <= ohHi; oh++)
                {
                    sum += Vector256.Load(outputGradient + oh * outWidth + ow);
                }

                sum.Store(rowSums + ow);
            }

            for (; ow < outWidth; ow++)
            {
                var sum = 0f;
                for (var oh = ohLo; oh <= ohHi; oh++)
                {
                    sum += outputGradient[oh * outWidth + ow];
                }

                rowSums[ow] = sum;
            }

            for (var w = 0; w < width; w++)
            {
                var (owLo, owHi) = Covering(w, s.WindowWidth, stride, outWidth);
                var sum = 0f;
                for (var o = owLo; o <= owHi; o++)
                {
                    sum += rowSums[o];
                }

                target[w] = owLo > owHi ? 0f : sum / count;
            }
        }
    }

    /// <summary>The output positions [lo, hi] whose windows (start o·stride, length window) contain position x; empty when lo &gt; hi.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Lo, int Hi) Covering(int x, int window, int stride, int outCount)
    {
        var first = x - window + 1;
        var lo = first <= 0 ? 0 : (first + stride - 1) / stride;
        var hi = Math.Min(x / stride, outCount - 1);
        return (lo, hi);
    }
}
