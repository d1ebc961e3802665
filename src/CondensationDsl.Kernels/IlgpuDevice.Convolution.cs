using CondensationDsl.Kernels.Kernels;
using CondensationDsl.Runtime.Devices;
using ILGPU;
using ILGPU.Runtime;

namespace CondensationDsl.Kernels;

/// <summary>2-D convolution (see <see cref="IConvolutionDevice"/>) as the direct kernels of
/// <see cref="ConvolutionKernels"/>: one thread per output, input-gradient, weight-gradient or bias-gradient value.</summary>
public sealed partial class IlgpuDevice : IConvolutionDevice
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>? convForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>? convInputGradient;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>? convWeightGradient;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ConvArguments>? convBiasGradient;

    public void Conv2dForward(ConvShape shape, DeviceBuffer input, DeviceBuffer weight, DeviceBuffer? bias, DeviceBuffer output)
    {
        shape.Validate();
        IlgpuBuffer x = Own(input);
        IlgpuBuffer w = Own(weight);
        IlgpuBuffer? b = bias is null ? null : Own(bias);
        IlgpuBuffer y = Own(output);
        RequireLength(x, shape.InputLength, nameof(input));
        RequireLength(w, shape.WeightLength, nameof(weight));
        RequireLength(y, shape.OutputLength, nameof(output));
        if (b is not null)
        {
            RequireLength(b, shape.BiasLength, nameof(bias));
        }
        convForward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>(
            ConvolutionKernels.Forward);
        // Without a bias the kernel never reads its bias view; the weight stands in for it.
        convForward(shape.OutputLength, x.View, w.View, (b ?? w).View, y.View, Arguments(shape, b is not null));
    }

    public void Conv2dBackward(ConvShape shape, DeviceBuffer input, DeviceBuffer weight, DeviceBuffer outputGradient, DeviceBuffer weightGradient, DeviceBuffer? biasGradient, DeviceBuffer? inputGradient)
    {
        shape.Validate();
        IlgpuBuffer x = Own(input);
        IlgpuBuffer w = Own(weight);
        IlgpuBuffer dy = Own(outputGradient);
        IlgpuBuffer dw = Own(weightGradient);
        IlgpuBuffer? db = biasGradient is null ? null : Own(biasGradient);
        IlgpuBuffer? dx = inputGradient is null ? null : Own(inputGradient);
        RequireLength(x, shape.InputLength, nameof(input));
        RequireLength(w, shape.WeightLength, nameof(weight));
        RequireLength(dy, shape.OutputLength, nameof(outputGradient));
        RequireLength(dw, shape.WeightLength, nameof(weightGradient));
        if (db is not null)
        {
            RequireLength(db, shape.BiasLength, nameof(biasGradient));
        }
        if (dx is not null)
        {
            RequireLength(dx, shape.InputLength, nameof(inputGradient));
        }
        ConvArguments arguments = Arguments(shape, hasBias: db is not null);
        convWeightGradient ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>(
            ConvolutionKernels.WeightGradient);
        convWeightGradient(shape.WeightLength, x.View, dy.View, dw.View, arguments);
        if (db is not null)
        {
            convBiasGradient ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArguments>(
                ConvolutionKernels.BiasGradient);
            convBiasGradient(shape.BiasLength, dy.View, db.View, arguments);
        }
        if (dx is not null)
        {
            convInputGradient ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArguments>(
                ConvolutionKernels.InputGradient);
            convInputGradient(shape.InputLength, w.View, dy.View, dx.View, arguments);
        }
    }

    private static ConvArguments Arguments(ConvShape shape, bool hasBias) => new()
    {
        Batch = shape.Batch,
        Channels = shape.Channels,
        Height = shape.Height,
        Width = shape.Width,
        Filters = shape.Filters,
        KernelHeight = shape.KernelHeight,
        KernelWidth = shape.KernelWidth,
        Stride = shape.Stride,
        Padding = shape.Padding,
        OutHeight = shape.OutHeight,
        OutWidth = shape.OutWidth,
        HasBias = hasBias ? 1 : 0,
    };
}
