using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The batch-normalization passes as one reusable job, split over channels: a unit is one channel (Spatial &gt; 1, whose
/// Batch runs of Spatial contiguous values are vectorised along the run) or a block of <see cref="Block"/> neighbouring
/// channels (Spatial = 1, a dense layer, vectorised across the channels of each row). A unit does everything for its
/// channels — reduction, per-channel finish, elementwise pass — in an order fixed by the shape, so every thread count
/// gives the same bits, and in-place use (output = input) is safe because no unit reads another's channels.
/// <para>Reductions accumulate in float64: the forward pass sums x − K and (x − K)² with K the channel's first value (the
/// shifted one-pass variance; in float64 its cancellation costs nothing measurable for float32 data), the backward pass
/// Σ dy and Σ dy·(x − mean). The elementwise passes use plain float32 multiplies and adds (no FMA), so vector body and
/// scalar tail round alike.</para>
/// </summary>
internal sealed unsafe class BatchNormJob : IParallelWork
{
    public enum Operation { ForwardTraining, ForwardInference, Backward }

    /// <summary>Channels per unit when Spatial = 1: one Vector256 of floats per row.</summary>
    private const int Block = 8;

    private Operation operation;
    private BatchNormShape shape;
    private float* input;
    private float* gradient;
    private float* target;
    private float* gamma;
    private float* beta;
    private float* mean;
    private float* inverseStd;
    private float* runningMean;
    private float* runningVariance;
    private float* gammaGradient;
    private float* betaGradient;
    private float momentum;
    private float epsilon;

    /// <summary>The number of units (channels, or blocks of channels when Spatial = 1) the operation is split over.</summary>
    public int Units { get; private set; }

    public void SetForwardTraining(
        BatchNormShape shape, float* input, float* gamma, float* beta, float* output, float* savedMean, float* savedInverseStd,
        float* runningMean, float* runningVariance, float momentum, float epsilon)
    {
        Set(Operation.ForwardTraining, shape);
        this.input = input;
        this.gamma = gamma;
        this.beta = beta;
        target = output;
        mean = savedMean;
        inverseStd = savedInverseStd;
        this.runningMean = runningMean;
        this.runningVariance = runningVariance;
        this.momentum = momentum;
        this.epsilon = epsilon;
    }

    public void SetForwardInference(
        BatchNormShape shape, float* input, float* gamma, float* beta, float* runningMean, float* runningVariance, float* output, float epsilon)
    {
        Set(Operation.ForwardInference, shape);
        this.input = input;
        this.gamma = gamma;
        this.beta = beta;
        this.runningMean = runningMean;
        this.runningVariance = runningVariance;
        target = output;
        this.epsilon = epsilon;
    }

    public void SetBackward(
        BatchNormShape shape, float* outputGradient, float* input, float* gamma, float* savedMean, float* savedInverseStd,
        float* inputGradient, float* gammaGradient, float* betaGradient)
    {
        Set(Operation.Backward, shape);
        gradient = outputGradient;
        this.input = input;
        this.gamma = gamma;
        mean = savedMean;
        inverseStd = savedInverseStd;
        target = inputGradient;
        this.gammaGradient = gammaGradient;
        this.betaGradient = betaGradient;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        var u0 = (int)((long)Units * part / parts);
        var u1 = (int)((long)Units * (part + 1) / parts);
        for (var u = u0; u < u1; u++)
        {
            if (shape.Spatial == 1)
            {
                var c0 = u * Block;
                RunChannels(new Channels(shape, c0, Math.Min(Block, shape.Channels - c0)));
            }
            else
            {
                RunChannels(new Channels(shape, u, 1));
            }
        }
    }

    private void Set(Operation operation, BatchNormShape shape)
    {
        this.operation = operation;
        this.shape = shape;
        Units = shape.Spatial == 1 ? (shape.Channels + Block - 1) / Block : shape.Channels;
    }

    /// <summary>One unit: the per-channel coefficients of the elementwise pass (from sums or from the running
    /// statistics), then that pass.</summary>
    private void RunChannels(Channels channels)
    {
        var coefficients = stackalloc float[4 * Block];
        var pass = new Coefficients(coefficients);
        switch (operation)
        {
            case Operation.ForwardTraining:
            {
                for (var j = 0; j < channels.Width; j++)
                {
                    // K: the channel's first value (n = 0, s = 0), the shift of the one-pass variance.
                    pass.Center[j] = input[channels.Offset(0) + (long)j * channels.LaneStride];
                }

                var sums = stackalloc double[2 * Block];
                Sum<MomentTerms>(channels, input, null, pass.Center, sums, sums + Block);
                for (var j = 0; j < channels.Width; j++)
                {
                    FinishStatistics(channels.First + j, pass.Center[j], sums[j], sums[Block + j], pass, j);
                }

                Map<Normalize>(channels, input, null, target, pass);
                break;
            }

            case Operation.ForwardInference:
                for (var j = 0; j < channels.Width; j++)
                {
                    var c = channels.First + j;
                    // float32 throughout, as the ILGPU kernel computes it per element.
                    pass.Center[j] = runningMean[c];
                    pass.Scale[j] = gamma[c] * (1f / MathF.Sqrt(runningVariance[c] + epsilon));
                    pass.Offset[j] = beta[c];
                }

                Map<Normalize>(channels, input, null, target, pass);
                break;
            case Operation.Backward:
            {
                for (var j = 0; j < channels.Width; j++)
                {
                    pass.Center[j] = mean[channels.First + j];
                }

                var sums = stackalloc double[2 * Block];
                Sum<GradientTerms>(channels, input, gradient, pass.Center, sums, sums + Block);
                for (var j = 0; j < channels.Width; j++)
                {
                    FinishGradients(channels.First + j, sums[j], sums[Block + j], pass, j);
                }

                Map<InputGradient>(channels, input, gradient, target, pass);
                break;
            }
        }
    }

    /// <summary>Mean, biased variance, inverse std (saved), running statistics (updated) and the normalization's
    /// coefficients of channel c from Σ(x − K) and Σ(x − K)².</summary>
    private void FinishStatistics(int c, float shift, double sum, double sumOfSquares, Coefficients pass, int j)
    {
        double n = shape.PerChannel;
        var offset = sum / n;
        var batchMean = shift + offset;
        var variance = Math.Max(sumOfSquares / n - offset * offset, 0.0);
        var savedInverseStd = (float)(1.0 / Math.Sqrt(variance + epsilon));
        mean[c] = (float)batchMean;
        inverseStd[c] = savedInverseStd;
        runningMean[c] = (float)((1.0 - momentum) * runningMean[c] + momentum * batchMean);
        runningVariance[c] = (float)((1.0 - momentum) * runningVariance[c] + momentum * variance * n / (n - 1));
        pass.Center[j] = mean[c];
        pass.Scale[j] = gamma[c] * savedInverseStd;
        pass.Offset[j] = beta[c];
    }

    /// <summary>dβ, dγ and the input gradient's coefficients of channel c from Σ dy and Σ dy·(x − mean):
    /// dx = k·(dy − Σdy/N) − k·invstd²·Σdy(x − mean)/N·(x − mean) with k = γ·invstd.</summary>
    private void FinishGradients(int c, double sumDy, double sumDyCentered, Coefficients pass, int j)
    {
        double n = shape.PerChannel;
        double invstd = inverseStd[c];
        var scale = gamma[c] * invstd;
        betaGradient[c] = (float)sumDy;
        gammaGradient[c] = (float)(sumDyCentered * invstd);
        pass.Scale[j] = (float)scale;
        pass.Offset[j] = (float)(sumDy / n);
        pass.Slope[j] = (float)(scale * invstd * invstd * sumDyCentered / n);
    }

    /// <summary>Per channel j of the unit: first[j] = Σ T.First(x − center_j, dy), second[j] = Σ T.Second(…), in float64
    /// over the channel's values in (n, s) order, vector lanes accumulated separately and combined at the end.</summary>
    private static void Sum<T>(Channels channels, float* x, float* dy, float* center, double* first, double* second)
        where T : ISumTerms
    {
        if (channels.Width == Block && channels.LaneStride == 1)
        {
            SumAcrossChannels<T>(channels, x, dy, center, first, second);
            return;
        }

        for (var j = 0; j < channels.Width; j++)
        {
            SumAlongRuns<T>(channels, j, x, dy, center[j], out first[j], out second[j]);
        }
    }

    /// <summary>A full block of a dense layer: row n's 8 channels are one vector; each lane is one channel's running sum.</summary>
    private static void SumAcrossChannels<T>(Channels channels, float* x, float* dy, float* center, double* first, double* second)
        where T : ISumTerms
    {
        var (centerLo, centerHi) = Vector256.Widen(Vector256.Load(center));
        Vector256<double> firstLo = default, firstHi = default, secondLo = default, secondHi = default;
        Vector256<double> dyLo = default, dyHi = default;
        for (var n = 0; n < channels.Batch; n++)
        {
            var offset = channels.Offset(n);
            var (xLo, xHi) = Vector256.Widen(Vector256.Load(x + offset));
            if (T.ReadsGradient)
            {
                (dyLo, dyHi) = Vector256.Widen(Vector256.Load(dy + offset));
            }

            firstLo += T.First(xLo - centerLo, dyLo);
            firstHi += T.First(xHi - centerHi, dyHi);
            secondLo += T.Second(xLo - centerLo, dyLo);
            secondHi += T.Second(xHi - centerHi, dyHi);
        }

        firstLo.Store(first);
        firstHi.Store(first + 4);
        secondLo.Store(second);
        secondHi.Store(second + 4);
    }

    /// <summary>One channel j: its Batch runs (Spatial contiguous values each, or a single value of a partial dense
    /// block), 8 values at a time into two 4-lane float64 accumulators, the remainder of each run into scalars.</summary>
    private static void SumAlongRuns<T>(Channels channels, int j, float* x, float* dy, float center, out double first, out double second)
        where T : ISumTerms
    {
        var centerVector = Vector256.Create((double)center);
        Vector256<double> firstLo = default, firstHi = default, secondLo = default, secondHi = default;
        Vector256<double> dyLo = default, dyHi = default;
        double firstTail = 0, secondTail = 0;
        var run = channels.RunLength;
        for (var n = 0; n < channels.Batch; n++)
        {
            var offset = channels.Offset(n) + (long)j * channels.LaneStride;
            var s = 0;
            for (; s + 8 <= run; s += 8)
            {
                var (xLo, xHi) = Vector256.Widen(Vector256.Load(x + offset + s));
                if (T.ReadsGradient)
                {
                    (dyLo, dyHi) = Vector256.Widen(Vector256.Load(dy + offset + s));
                }

                firstLo += T.First(xLo - centerVector, dyLo);
                firstHi += T.First(xHi - centerVector, dyHi);
                secondLo += T.Second(xLo - centerVector, dyLo);
                secondHi += T.Second(xHi - centerVector, dyHi);
            }

            for (; s < run; s++)
            {
                double g = T.ReadsGradient ? dy[offset + s] : 0;
                double centered = x[offset + s] - (double)center;
                firstTail += T.First(centered, g);
                secondTail += T.Second(centered, g);
            }
        }

        first = Vector256.Sum(firstLo + firstHi) + firstTail;
        second = Vector256.Sum(secondLo + secondHi) + secondTail;
    }

    /// <summary>target = M.Map(x, dy, coefficients of the value's channel) for every value of the unit's channels.</summary>
    private static void Map<M>(Channels channels, float* x, float* dy, float* target, Coefficients pass)
        where M : IElementMap
    {
        if (channels.Width == Block && channels.LaneStride == 1)
        {
            var center = Vector256.Load(pass.Center);
            var scale = Vector256.Load(pass.Scale);
            var offsetVector = Vector256.Load(pass.Offset);
            var slope = Vector256.Load(pass.Slope);
            var g = Vector256<float>.Zero;
            for (var n = 0; n < channels.Batch; n++)
            {
                var offset = channels.Offset(n);
                if (M.ReadsGradient)
                {
                    g = Vector256.Load(dy + offset);
                }

                M.Map(Vector256.Load(x + offset), g, center, scale, offsetVector, slope).Store(target + offset);
            }

            return;
        }

        for (var j = 0; j < channels.Width; j++)
        {
            MapAlongRuns<M>(channels, j, x, dy, target, pass);
        }
    }

    private static void MapAlongRuns<M>(Channels channels, int j, float* x, float* dy, float* target, Coefficients pass)
        where M : IElementMap
    {
        float center = pass.Center[j], scale = pass.Scale[j], offsetValue = pass.Offset[j], slope = pass.Slope[j];
        var centerVector = Vector256.Create(center);
        var scaleVector = Vector256.Create(scale);
        var offsetVector = Vector256.Create(offsetValue);
        var slopeVector = Vector256.Create(slope);
        var g = Vector256<float>.Zero;
        var run = channels.RunLength;
        for (var n = 0; n < channels.Batch; n++)
        {
            var offset = channels.Offset(n) + (long)j * channels.LaneStride;
            var s = 0;
            for (; s + 8 <= run; s += 8)
            {
                if (M.ReadsGradient)
                {
                    g = Vector256.Load(dy + offset + s);
                }

                M.Map(Vector256.Load(x + offset + s), g, centerVector, scaleVector, offsetVector, slopeVector).Store(target + offset + s);
            }

            for (; s < run; s++)
            {
                var gradientValue = M.ReadsGradient ? dy[offset + s] : 0f;
                target[offset + s] = M.Map(x[offset + s], gradientValue, center, scale, offsetValue, slope);
            }
        }
    }

    /// <summary>
    /// The channels of one unit and where their values are: row n's values start at <see cref="Offset"/>(n); channel
    /// First + j's values in that row start j·LaneStride further and run for <see cref="RunLength"/> floats.
    /// </summary>
    private readonly struct Channels(BatchNormShape shape, int first, int width)
    {
        public int First { get; } = first;

        public int Width { get; } = width;

        public int Batch { get; } = shape.Batch;

        /// <summary>Contiguous values of one channel in one sample: Spatial.</summary>
        public int RunLength { get; } = shape.Spatial;

        /// <summary>Distance between neighbouring channels' runs within a sample (1 for a dense block).</summary>
        public int LaneStride { get; } = shape.Spatial;

        private readonly long rowStride = (long)shape.Channels * shape.Spatial;

        private readonly long firstOffset = (long)first * shape.Spatial;

        public long Offset(int n) => n * rowStride + firstOffset;
    }

    /// <summary>Per-channel float32 coefficients of the elementwise pass, <see cref="Block"/> each (stack memory).</summary>
    private readonly struct Coefficients(float* storage)
    {
        public float* Center { get; } = storage;

        public float* Scale { get; } = storage + Block;

        public float* Offset { get; } = storage + 2 * Block;

        public float* Slope { get; } = storage + 3 * Block;
    }

    /// <summary>The two per-channel sums of a reduction, as functions of x − center and dy.</summary>
    private interface ISumTerms
    {
        static abstract bool ReadsGradient { get; }

        static abstract Vector256<double> First(Vector256<double> centered, Vector256<double> gradient);

        static abstract Vector256<double> Second(Vector256<double> centered, Vector256<double> gradient);

        static abstract double First(double centered, double gradient);

        static abstract double Second(double centered, double gradient);
    }

    /// <summary>Σ(x − K) and Σ(x − K)²: the shifted moments of the forward pass.</summary>
    private readonly struct MomentTerms : ISumTerms
    {
        public static bool ReadsGradient => false;

        public static Vector256<double> First(Vector256<double> centered, Vector256<double> gradient) => centered;

        public static Vector256<double> Second(Vector256<double> centered, Vector256<double> gradient) => centered * centered;

        public static double First(double centered, double gradient) => centered;

        public static double Second(double centered, double gradient) => centered * centered;
    }

    /// <summary>Σ dy and Σ dy·(x − mean): dβ and, times invstd, dγ.</summary>
    private readonly struct GradientTerms : ISumTerms
    {
        public static bool ReadsGradient => true;

        public static Vector256<double> First(Vector256<double> centered, Vector256<double> gradient) => gradient;

        public static Vector256<double> Second(Vector256<double> centered, Vector256<double> gradient) => gradient * centered;

        public static double First(double centered, double gradient) => gradient;

        public static double Second(double centered, double gradient) => gradient * centered;
    }

    /// <summary>An elementwise pass in terms of x, dy and the value's channel coefficients (center, scale, offset, slope).</summary>
    private interface IElementMap
    {
        static abstract bool ReadsGradient { get; }

        static abstract Vector256<float> Map(
            Vector256<float> x, Vector256<float> dy, Vector256<float> center, Vector256<float> scale, Vector256<float> offset, Vector256<float> slope);

        static abstract float Map(float x, float dy, float center, float scale, float offset, float slope);
    }

    /// <summary>y = (x − center)·scale + offset: both forward passes (scale = γ·invstd, offset = β).</summary>
    private readonly struct Normalize : IElementMap
    {
        public static bool ReadsGradient => false;

        public static Vector256<float> Map(
            Vector256<float> x, Vector256<float> dy, Vector256<float> center, Vector256<float> scale, Vector256<float> offset, Vector256<float> slope) =>
            (x - center) * scale + offset;

        public static float Map(float x, float dy, float center, float scale, float offset, float slope) => (x - center) * scale + offset;
    }

    /// <summary>dx = scale·(dy − offset) − slope·(x − center) (see <see cref="FinishGradients"/>).</summary>
    private readonly struct InputGradient : IElementMap
    {
        public static bool ReadsGradient => true;

        public static Vector256<float> Map(
            Vector256<float> x, Vector256<float> dy, Vector256<float> center, Vector256<float> scale, Vector256<float> offset, Vector256<float> slope) =>
            scale * (dy - offset) - slope * (x - center);

        public static float Map(float x, float dy, float center, float scale, float offset, float slope) =>
            scale * (dy - offset) - slope * (x - center);
    }
}
