using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>
/// 2-D convolution, NCHW (see <c>ConvShape</c>): straightforward kernels, one thread per output value, each summing its
/// terms in a fixed order with no atomics, so reruns are bit-identical and the launch geometry does not matter.
/// Checked by ConvolutionConformanceTests (float64 reference, finite differences, agreement with the CPU device).
/// </summary>
public static class ConvolutionKernels
{
    /// <summary>One thread per output value (n, k, p, q): bias[k] + Σ_c Σ_r Σ_s weight[k,c,r,s]·input[n,c,ih,iw] with
    /// ih = p·stride + r − pad, iw = q·stride + s − pad; terms outside the input are skipped (zero padding).</summary>
    public static void Forward(Index1D index, ArrayView<float> input, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> output, ConvArguments a)
    {
        int i = index;
        int q = i % a.OutWidth;
        int t = i / a.OutWidth;
        int p = t % a.OutHeight;
        t /= a.OutHeight;
        int k = t % a.Filters;
        int n = t / a.Filters;
        float sum = 0f;
        for (int c = 0; c < a.Channels; c++)
        {
            int inputPlane = (n * a.Channels + c) * a.Height;
            int weightPlane = (k * a.Channels + c) * a.KernelHeight;
            for (int r = 0; r < a.KernelHeight; r++)
            {
                int ih = p * a.Stride + r - a.Padding;
                if (ih < 0 || ih >= a.Height)
                {
                    continue;
                }
                for (int s = 0; s < a.KernelWidth; s++)
                {
                    int iw = q * a.Stride + s - a.Padding;
                    if (iw >= 0 && iw < a.Width)
                    {
                        sum += weight[(weightPlane + r) * a.KernelWidth + s] * input[(inputPlane + ih) * a.Width + iw];
                    }
                }
            }
        }
        output[i] = a.HasBias != 0 ? bias[k] + sum : sum;
    }

    /// <summary>One thread per input value (n, c, h, w): Σ_k Σ_r Σ_s weight[k,c,r,s]·dOutput[n,k,p,q] over the output
    /// positions with p·stride + r − pad = h and q·stride + s − pad = w.</summary>
    public static void InputGradient(Index1D index, ArrayView<float> weight, ArrayView<float> outputGradient, ArrayView<float> inputGradient, ConvArguments a)
    {
        int i = index;
        int w = i % a.Width;
        int t = i / a.Width;
        int h = t % a.Height;
        t /= a.Height;
        int c = t % a.Channels;
        int n = t / a.Channels;
        float sum = 0f;
        for (int k = 0; k < a.Filters; k++)
        {
            int outputPlane = (n * a.Filters + k) * a.OutHeight;
            int weightPlane = (k * a.Channels + c) * a.KernelHeight;
            for (int r = 0; r < a.KernelHeight; r++)
            {
                int ph = h + a.Padding - r;
                if (ph < 0 || ph % a.Stride != 0 || ph / a.Stride >= a.OutHeight)
                {
                    continue;
                }
                int p = ph / a.Stride;
                for (int s = 0; s < a.KernelWidth; s++)
                {
                    int qw = w + a.Padding - s;
                    if (qw >= 0 && qw % a.Stride == 0 && qw / a.Stride < a.OutWidth)
                    {
                        sum += weight[(weightPlane + r) * a.KernelWidth + s] * outputGradient[(outputPlane + p) * a.OutWidth + qw / a.Stride];
                    }
                }
            }
        }
        inputGradient[i] = sum;
    }

    /// <summary>One thread per weight (k, c, r, s): Σ_n Σ_p Σ_q dOutput[n,k,p,q]·input[n,c,ih,iw], images then
    /// positions in order.</summary>
    public static void WeightGradient(Index1D index, ArrayView<float> input, ArrayView<float> outputGradient, ArrayView<float> weightGradient, ConvArguments a)
    {
        int i = index;
        int s = i % a.KernelWidth;
        int t = i / a.KernelWidth;
        int r = t % a.KernelHeight;
        t /= a.KernelHeight;
        int c = t % a.Channels;
        int k = t / a.Channels;
        float sum = 0f;
        for (int n = 0; n < a.Batch; n++)
        {
            int inputPlane = (n * a.Channels + c) * a.Height;
            int outputPlane = (n * a.Filters + k) * a.OutHeight;
            for (int p = 0; p < a.OutHeight; p++)
            {
                int ih = p * a.Stride + r - a.Padding;
                if (ih < 0 || ih >= a.Height)
                {
                    continue;
                }
                for (int q = 0; q < a.OutWidth; q++)
                {
                    int iw = q * a.Stride + s - a.Padding;
                    if (iw >= 0 && iw < a.Width)
                    {
                        sum += outputGradient[(outputPlane + p) * a.OutWidth + q] * input[(inputPlane + ih) * a.Width + iw];
                    }
                }
            }
        }
        weightGradient[i] = sum;
    }

    /// <summary>One thread per filter k: Σ_n Σ_p Σ_q dOutput[n,k,p,q], images then positions in order.</summary>
    public static void BiasGradient(Index1D index, ArrayView<float> outputGradient, ArrayView<float> biasGradient, ConvArguments a)
    {
        int k = index;
        int positions = a.OutHeight * a.OutWidth;
        float sum = 0f;
        for (int n = 0; n < a.Batch; n++)
        {
            int offset = (n * a.Filters + k) * positions;
            for (int j = 0; j < positions; j++)
            {
                sum += outputGradient[offset + j];
            }
        }
        biasGradient[k] = sum;
    }
}

/// <summary>A convolution's shape as kernel arguments (blittable ints; <see cref="HasBias"/> is 0 or 1).</summary>
public struct ConvArguments
{
    public int Batch;
    public int Channels;
    public int Height;
    public int Width;
    public int Filters;
    public int KernelHeight;
    public int KernelWidth;
    public int Stride;
    public int Padding;
    public int OutHeight;
    public int OutWidth;
    public int HasBias;
}
