using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>A pooling shape as kernel arguments (blittable ints; see <see cref="CondensationDsl.Runtime.Devices.PoolShape"/>).</summary>
public struct PoolArguments
{
    public int Height;
    public int Width;
    public int WindowHeight;
    public int WindowWidth;
    public int Stride;
    public int OutHeight;
    public int OutWidth;
}

/// <summary>
/// Max and average pooling on NCHW planes, one thread per output element (forward) or per input element (backward, which
/// gathers the contributions of the windows covering it, so no atomics). Summation orders match the CPU device's
/// PoolJob: windows are summed column by column (Σ_kw Σ_kh), gradients in row-major output order.
/// Checked by PoolingConformanceTests (float64 references, finite differences, agreement with the CPU device).
/// </summary>
public static class PoolingKernels
{
    /// <summary>output[o] = max of window o, argmax[o] = plane index (h·W + w) of its first maximum, row-major.</summary>
    public static void MaxForward(Index1D o, ArrayView<float> input, ArrayView<float> output, ArrayView<float> argmax, PoolArguments a)
    {
        int outPlane = a.OutHeight * a.OutWidth;
        int plane = o / outPlane;
        int rest = o - plane * outPlane;
        int oh = rest / a.OutWidth;
        int ow = rest - oh * a.OutWidth;
        int baseIndex = plane * a.Height * a.Width;
        int h0 = oh * a.Stride;
        int w0 = ow * a.Stride;
        int bestIndex = h0 * a.Width + w0;
        float best = input[baseIndex + bestIndex];
        for (int kh = 0; kh < a.WindowHeight; kh++)
        {
            int row = (h0 + kh) * a.Width + w0;
            for (int kw = 0; kw < a.WindowWidth; kw++)
            {
                float v = input[baseIndex + row + kw];
                if (v > best)
                {
                    best = v;
                    bestIndex = row + kw;
                }
            }
        }
        output[o] = best;
        argmax[o] = bestIndex;
    }

    /// <summary>inputGradient[i] = Σ over the windows covering i whose argmax is i of outputGradient, row-major.</summary>
    public static void MaxBackward(Index1D i, ArrayView<float> outputGradient, ArrayView<float> argmax, ArrayView<float> inputGradient, PoolArguments a)
    {
        int inPlane = a.Height * a.Width;
        int plane = i / inPlane;
        int index = i - plane * inPlane;
        int h = index / a.Width;
        int w = index - h * a.Width;
        int outBase = plane * a.OutHeight * a.OutWidth;
        float position = index;
        float sum = 0f;
        int ohHi = Hi(h, a.Stride, a.OutHeight);
        int owHi = Hi(w, a.Stride, a.OutWidth);
        for (int oh = Lo(h, a.WindowHeight, a.Stride); oh <= ohHi; oh++)
        {
            for (int ow = Lo(w, a.WindowWidth, a.Stride); ow <= owHi; ow++)
            {
                int o = outBase + oh * a.OutWidth + ow;
                if (argmax[o] == position)
                {
                    sum += outputGradient[o];
                }
            }
        }
        inputGradient[i] = sum;
    }

    /// <summary>output[o] = (Σ_kw Σ_kh window o) / (WindowHeight·WindowWidth).</summary>
    public static void AvgForward(Index1D o, ArrayView<float> input, ArrayView<float> output, PoolArguments a)
    {
        int outPlane = a.OutHeight * a.OutWidth;
        int plane = o / outPlane;
        int rest = o - plane * outPlane;
        int oh = rest / a.OutWidth;
        int ow = rest - oh * a.OutWidth;
        int first = plane * a.Height * a.Width + oh * a.Stride * a.Width + ow * a.Stride;
        float sum = 0f;
        for (int kw = 0; kw < a.WindowWidth; kw++)
        {
            float column = 0f;
            for (int kh = 0; kh < a.WindowHeight; kh++)
            {
                column += input[first + kh * a.Width + kw];
            }
            sum += column;
        }
        output[o] = sum / (a.WindowHeight * a.WindowWidth);
    }

    /// <summary>inputGradient[i] = (Σ_ow Σ_oh outputGradient over the windows covering i) / (WindowHeight·WindowWidth).</summary>
    public static void AvgBackward(Index1D i, ArrayView<float> outputGradient, ArrayView<float> inputGradient, PoolArguments a)
    {
        int inPlane = a.Height * a.Width;
        int plane = i / inPlane;
        int index = i - plane * inPlane;
        int h = index / a.Width;
        int w = index - h * a.Width;
        int outBase = plane * a.OutHeight * a.OutWidth;
        int ohLo = Lo(h, a.WindowHeight, a.Stride);
        int ohHi = Hi(h, a.Stride, a.OutHeight);
        int owLo = Lo(w, a.WindowWidth, a.Stride);
        int owHi = Hi(w, a.Stride, a.OutWidth);
        float sum = 0f;
        for (int ow = owLo; ow <= owHi; ow++)
        {
            float column = 0f;
            for (int oh = ohLo; oh <= ohHi; oh++)
            {
                column += outputGradient[outBase + oh * a.OutWidth + ow];
            }
            sum += column;
        }
        inputGradient[i] = ohLo > ohHi || owLo > owHi ? 0f : sum / (a.WindowHeight * a.WindowWidth);
    }

    /// <summary>First window (start o·stride, length window) that contains position x.</summary>
    private static int Lo(int x, int window, int stride)
    {
        int first = x - window + 1;
        return first <= 0 ? 0 : (first + stride - 1) / stride;
    }

    /// <summary>Last window that contains position x (capped at the last window).</summary>
    private static int Hi(int x, int stride, int outCount)
    {
        int last = x / stride;
        return last < outCount - 1 ? last : outCount - 1;
    }
}
