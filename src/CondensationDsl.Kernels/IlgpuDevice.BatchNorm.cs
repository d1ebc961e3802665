using CondensationDsl.Kernels.Kernels;
using CondensationDsl.Runtime.Devices;
using ILGPU;
using ILGPU.Runtime;

namespace CondensationDsl.Kernels;

/// <summary>
/// Batch normalization (<see cref="IBatchNormDevice"/>) as <see cref="BatchNormKernels"/>: each per-channel reduction is a
/// partials launch (<see cref="BatchNormKernels.PartialsPerChannel"/> threads per channel) and a finish launch (one
/// thread per channel), followed by one elementwise launch; the partial sums and the backward coefficients live in a
/// scratch buffer kept between calls.
/// </summary>
public sealed partial class IlgpuDevice : IBatchNormDevice
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, BatchNormArguments>? momentPartials;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>? momentFinish;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>? normalizeTraining;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>? normalizeInference;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>? gradientPartials;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>? gradientFinish;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>? inputGradient;

    // Grown on demand and never shrunk; the accelerator frees it when the device is disposed.
    private MemoryBuffer1D<float, Stride1D.Dense>? batchNormScratch;

    public void BatchNormForwardTraining(
        BatchNormShape shape, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer output,
        DeviceBuffer savedMean, DeviceBuffer savedInverseStd, DeviceBuffer runningMean, DeviceBuffer runningVariance,
        float momentum = BatchNormShape.DefaultMomentum, float epsilon = BatchNormShape.DefaultEpsilon)
    {
        shape.ValidateForTraining();
        BatchNormShape.ValidateHyperParameters(momentum, epsilon);
        IlgpuBuffer x = Activations(shape, input, nameof(input));
        IlgpuBuffer y = Activations(shape, output, nameof(output));
        IlgpuBuffer g = PerChannel(shape, gamma, nameof(gamma));
        IlgpuBuffer b = PerChannel(shape, beta, nameof(beta));
        IlgpuBuffer mean = PerChannel(shape, savedMean, nameof(savedMean));
        IlgpuBuffer invstd = PerChannel(shape, savedInverseStd, nameof(savedInverseStd));
        IlgpuBuffer rm = PerChannel(shape, runningMean, nameof(runningMean));
        IlgpuBuffer rv = PerChannel(shape, runningVariance, nameof(runningVariance));
        BatchNormArguments arguments = Arguments(shape, momentum, epsilon);
        ArrayView<float> partials = Partials(shape);

        momentPartials ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, BatchNormArguments>(BatchNormKernels.MomentPartials);
        momentFinish ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>(BatchNormKernels.MomentFinish);
        normalizeTraining ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>(BatchNormKernels.NormalizeTraining);
        momentPartials(SlotCount(shape), x.View, partials, arguments);
        momentFinish(shape.Channels, partials, mean.View, invstd.View, rm.View, rv.View, arguments);
        normalizeTraining(shape.Length, x.View, y.View, g.View, b.View, mean.View, invstd.View, arguments);
    }

    public void BatchNormForwardInference(
        BatchNormShape shape, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runningMean,
        DeviceBuffer runningVariance, DeviceBuffer output, float epsilon = BatchNormShape.DefaultEpsilon)
    {
        shape.Validate();
        BatchNormShape.ValidateHyperParameters(BatchNormShape.DefaultMomentum, epsilon);
        IlgpuBuffer x = Activations(shape, input, nameof(input));
        IlgpuBuffer y = Activations(shape, output, nameof(output));
        IlgpuBuffer g = PerChannel(shape, gamma, nameof(gamma));
        IlgpuBuffer b = PerChannel(shape, beta, nameof(beta));
        IlgpuBuffer rm = PerChannel(shape, runningMean, nameof(runningMean));
        IlgpuBuffer rv = PerChannel(shape, runningVariance, nameof(runningVariance));
        normalizeInference ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>(BatchNormKernels.NormalizeInference);
        normalizeInference(shape.Length, x.View, y.View, g.View, b.View, rm.View, rv.View, Arguments(shape, BatchNormShape.DefaultMomentum, epsilon));
    }

    public void BatchNormBackward(
        BatchNormShape shape, DeviceBuffer outputGradient, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer savedMean,
        DeviceBuffer savedInverseStd, DeviceBuffer inputGradient, DeviceBuffer gammaGradient, DeviceBuffer betaGradient)
    {
        shape.Validate();
        IlgpuBuffer dy = Activations(shape, outputGradient, nameof(outputGradient));
        IlgpuBuffer x = Activations(shape, input, nameof(input));
        IlgpuBuffer dx = Activations(shape, inputGradient, nameof(inputGradient));
        IlgpuBuffer g = PerChannel(shape, gamma, nameof(gamma));
        IlgpuBuffer mean = PerChannel(shape, savedMean, nameof(savedMean));
        IlgpuBuffer invstd = PerChannel(shape, savedInverseStd, nameof(savedInverseStd));
        IlgpuBuffer dg = PerChannel(shape, gammaGradient, nameof(gammaGradient));
        IlgpuBuffer db = PerChannel(shape, betaGradient, nameof(betaGradient));
        BatchNormArguments arguments = Arguments(shape, BatchNormShape.DefaultMomentum, BatchNormShape.DefaultEpsilon);
        ArrayView<float> partials = Partials(shape);
        ArrayView<float> coefficients = batchNormScratch!.View.SubView(partials.Length, 3L * shape.Channels);

        gradientPartials ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>(BatchNormKernels.GradientPartials);
        gradientFinish ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>(BatchNormKernels.GradientFinish);
        this.inputGradient ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArguments>(BatchNormKernels.InputGradient);
        gradientPartials(SlotCount(shape), dy.View, x.View, mean.View, partials, arguments);
        gradientFinish(shape.Channels, partials, g.View, invstd.View, dg.View, db.View, coefficients, arguments);
        this.inputGradient(shape.Length, dy.View, x.View, mean.View, coefficients, dx.View, arguments);
    }

    private static BatchNormArguments Arguments(BatchNormShape shape, float momentum, float epsilon) => new()
    {
        Channels = shape.Channels,
        Spatial = shape.Spatial,
        PerChannel = shape.PerChannel,
        Momentum = momentum,
        Epsilon = epsilon,
    };

    /// <summary>Partial-sum threads: <see cref="BatchNormKernels.PartialsPerChannel"/> per channel.</summary>
    private static int SlotCount(BatchNormShape shape) => checked(shape.Channels * BatchNormKernels.PartialsPerChannel);

    /// <summary>The scratch's first 2·slots floats (two partial sums per slot), with room after them for the backward
    /// pass's 3 coefficients per channel.</summary>
    private ArrayView<float> Partials(BatchNormShape shape)
    {
        long partials = 2L * SlotCount(shape);
        long needed = partials + 3L * shape.Channels;
        if (batchNormScratch is null || batchNormScratch.Length < needed)
        {
            if (batchNormScratch is not null)
            {
                // Kernels queued earlier may still read the old scratch; freeing is not ordered on the stream.
                accelerator.Synchronize();
                batchNormScratch.Dispose();
            }
            batchNormScratch = accelerator.Allocate1D<float>(needed);
        }
        return batchNormScratch.View.SubView(0, partials);
    }

    private IlgpuBuffer Activations(BatchNormShape shape, DeviceBuffer buffer, string name)
    {
        IlgpuBuffer own = Own(buffer);
        RequireLength(own, shape.Length, name);
        return own;
    }

    private IlgpuBuffer PerChannel(BatchNormShape shape, DeviceBuffer buffer, string name)
    {
        IlgpuBuffer own = Own(buffer);
        RequireLength(own, shape.Channels, name);
        return own;
    }
}
