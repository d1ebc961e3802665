using ILGPU;

namespace CondensationDsl.Kernels.Kernels;

/// <summary>A batch-normalization shape and its hyper-parameters as kernel arguments (see
/// <see cref="CondensationDsl.Runtime.Devices.BatchNormShape"/>).</summary>
public struct BatchNormArguments
{
    public int Channels;
    public int Spatial;

    /// <summary>Values per channel, Batch·Spatial (N).</summary>
    public int PerChannel;
    public float Momentum;
    public float Epsilon;
}

/// <summary>
/// Batch normalization on NCHW activations. Per-channel reductions run in two launches with no atomics: slot p of channel
/// c (one thread each, <see cref="PartialsPerChannel"/> per channel) reduces the channel's values p, p + P, p + 2P, … (in
/// (n, s) order, so neighbouring threads read neighbouring values), then one thread per channel merges the slots in slot
/// order. The slot count is a constant rather than derived from the accelerator, so every accelerator adds the same
/// numbers in the same order. Everything is float32 (some OpenCL devices have no float64); the forward statistics use
/// Welford's update per slot and Chan's merge, so a channel's mean far from 0 costs no accuracy, as a one-pass
/// Σx² − (Σx)²/N would. Elementwise passes are one thread per value.
/// Checked by BatchNormConformanceTests (float64 references, finite differences, agreement with the CPU device).
/// </summary>
public static class BatchNormKernels
{
    /// <summary>Partial reductions per channel (P).</summary>
    public const int PartialsPerChannel = 64;

    /// <summary>Slot i = c·P + p: Welford's running mean and Σ(x − mean)² of its values, into partials[2i], partials[2i + 1].</summary>
    public static void MomentPartials(Index1D i, ArrayView<float> input, ArrayView<float> partials, BatchNormArguments a)
    {
        int c = i / PartialsPerChannel;
        int slot = i - c * PartialsPerChannel;
        float mean = 0f;
        float squares = 0f;
        int count = 0;
        for (int j = slot; j < a.PerChannel; j += PartialsPerChannel)
        {
            count++;
            float v = input[ValueIndex(c, j, a)];
            float delta = v - mean;
            mean += delta / count;
            squares += delta * (v - mean);
        }
        partials[2 * i] = mean;
        partials[2 * i + 1] = squares;
    }

    /// <summary>
    /// Channel c: merges its slots (Chan et al.), writes the saved mean and 1/√(var + ε) (biased variance) and updates the
    /// running statistics with the unbiased variance Σ(x − mean)²/(N − 1), as PyTorch does.
    /// </summary>
    public static void MomentFinish(
        Index1D c, ArrayView<float> partials, ArrayView<float> mean, ArrayView<float> inverseStd,
        ArrayView<float> runningMean, ArrayView<float> runningVariance, BatchNormArguments a)
    {
        float m = 0f;
        float squares = 0f;
        int count = 0;
        // Slot p holds values iff p < N (they are dealt out round-robin), so the first empty slot ends the merge.
        for (int p = 0; p < PartialsPerChannel && p < a.PerChannel; p++)
        {
            int k = (a.PerChannel - p + PartialsPerChannel - 1) / PartialsPerChannel;
            int total = count + k;
            int slot = 2 * (c * PartialsPerChannel + p);
            float delta = partials[slot] - m;
            m += delta * ((float)k / total);
            squares += partials[slot + 1] + delta * delta * ((float)count * k / total);
            count = total;
        }
        float invstd = 1f / MathF.Sqrt(squares / a.PerChannel + a.Epsilon);
        mean[c] = m;
        inverseStd[c] = invstd;
        runningMean[c] = (1f - a.Momentum) * runningMean[c] + a.Momentum * m;
        runningVariance[c] = (1f - a.Momentum) * runningVariance[c] + a.Momentum * (squares / (a.PerChannel - 1));
    }

    /// <summary>output[i] = (x − mean_c)·(γ_c·invstd_c) + β_c; output may be input.</summary>
    public static void NormalizeTraining(
        Index1D i, ArrayView<float> input, ArrayView<float> output, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> mean, ArrayView<float> inverseStd, BatchNormArguments a)
    {
        int c = ChannelOf(i, a);
        output[i] = (input[i] - mean[c]) * (gamma[c] * inverseStd[c]) + beta[c];
    }

    /// <summary>output[i] = (x − runningMean_c)·(γ_c·(1/√(runningVariance_c + ε))) + β_c; output may be input.</summary>
    public static void NormalizeInference(
        Index1D i, ArrayView<float> input, ArrayView<float> output, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> runningMean, ArrayView<float> runningVariance, BatchNormArguments a)
    {
        int c = ChannelOf(i, a);
        float invstd = 1f / MathF.Sqrt(runningVariance[c] + a.Epsilon);
        output[i] = (input[i] - runningMean[c]) * (gamma[c] * invstd) + beta[c];
    }

    /// <summary>Slot i = c·P + p: Σ dy and Σ dy·(x − mean_c) over its values, into partials[2i], partials[2i + 1].</summary>
    public static void GradientPartials(
        Index1D i, ArrayView<float> outputGradient, ArrayView<float> input, ArrayView<float> mean, ArrayView<float> partials,
        BatchNormArguments a)
    {
        int c = i / PartialsPerChannel;
        int slot = i - c * PartialsPerChannel;
        float center = mean[c];
        float sumDy = 0f;
        float sumDyCentered = 0f;
        for (int j = slot; j < a.PerChannel; j += PartialsPerChannel)
        {
            int index = ValueIndex(c, j, a);
            float dy = outputGradient[index];
            sumDy += dy;
            sumDyCentered += dy * (input[index] - center);
        }
        partials[2 * i] = sumDy;
        partials[2 * i + 1] = sumDyCentered;
    }

    /// <summary>
    /// Channel c: adds its slots in order; dβ = Σ dy, dγ = invstd·Σ dy·(x − mean); and the input gradient's coefficients
    /// (scale k = γ·invstd, offset Σdy/N, slope k·invstd·dγ/N) into coefficients[3c..3c+2] for <see cref="InputGradient"/>.
    /// </summary>
    public static void GradientFinish(
        Index1D c, ArrayView<float> partials, ArrayView<float> gamma, ArrayView<float> inverseStd, ArrayView<float> gammaGradient,
        ArrayView<float> betaGradient, ArrayView<float> coefficients, BatchNormArguments a)
    {
        float sumDy = 0f;
        float sumDyCentered = 0f;
        for (int p = 0; p < PartialsPerChannel; p++)
        {
            int slot = 2 * (c * PartialsPerChannel + p);
            sumDy += partials[slot];
            sumDyCentered += partials[slot + 1];
        }
        float invstd = inverseStd[c];
        float dGamma = sumDyCentered * invstd;
        float scale = gamma[c] * invstd;
        betaGradient[c] = sumDy;
        gammaGradient[c] = dGamma;
        coefficients[3 * c] = scale;
        coefficients[3 * c + 1] = sumDy / a.PerChannel;
        coefficients[3 * c + 2] = scale * invstd * (dGamma / a.PerChannel);
    }

    /// <summary>dx = k·(dy − Σdy/N) − slope·(x − mean_c), i.e. γ·invstd/N·(N·dy − Σ dy − x̂·Σ dy·x̂).</summary>
    public static void InputGradient(
        Index1D i, ArrayView<float> outputGradient, ArrayView<float> input, ArrayView<float> mean, ArrayView<float> coefficients,
        ArrayView<float> inputGradient, BatchNormArguments a)
    {
        int c = ChannelOf(i, a);
        float scale = coefficients[3 * c];
        float offset = coefficients[3 * c + 1];
        float slope = coefficients[3 * c + 2];
        inputGradient[i] = scale * (outputGradient[i] - offset) - slope * (input[i] - mean[c]);
    }

    /// <summary>The flat index of channel c's value j (j = n·Spatial + s).</summary>
    private static int ValueIndex(int c, int j, BatchNormArguments a)
    {
        int n = j / a.Spatial;
        int s = j - n * a.Spatial;
        return (n * a.Channels + c) * a.Spatial + s;
    }

    private static int ChannelOf(int i, BatchNormArguments a) => i / a.Spatial % a.Channels;
}
