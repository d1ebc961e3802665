using CondensationDsl.Kernels.Kernels;
using CondensationDsl.Runtime.Devices;
using ILGPU;
using ILGPU.Runtime;

namespace CondensationDsl.Kernels;

/// <summary>Max and average pooling (<see cref="IPoolingDevice"/>) as <see cref="PoolingKernels"/>: one thread per output
/// element forward, one per input element backward.</summary>
public sealed partial class IlgpuDevice : IPoolingDevice
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolArguments>? maxPoolForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolArguments>? maxPoolBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, PoolArguments>? avgPoolForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, PoolArguments>? avgPoolBackward;

    public void MaxPoolForward(PoolShape shape, DeviceBuffer input, DeviceBuffer output, DeviceBuffer argmax)
    {
        shape.Validate();
        IlgpuBuffer x = Own(input);
        IlgpuBuffer y = Own(output);
        IlgpuBuffer indices = Own(argmax);
        RequireLength(x, shape.InputLength, nameof(input));
        RequireLength(y, shape.OutputLength, nameof(output));
        RequireLength(indices, shape.OutputLength, nameof(argmax));
        maxPoolForward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolArguments>(PoolingKernels.MaxForward);
        maxPoolForward(shape.OutputLength, x.View, y.View, indices.View, Arguments(shape));
    }

    public void MaxPoolBackward(PoolShape shape, DeviceBuffer outputGradient, DeviceBuffer argmax, DeviceBuffer inputGradient)
    {
        shape.Validate();
        IlgpuBuffer dy = Own(outputGradient);
        IlgpuBuffer indices = Own(argmax);
        IlgpuBuffer dx = Own(inputGradient);
        RequireLength(dy, shape.OutputLength, nameof(outputGradient));
        RequireLength(indices, shape.OutputLength, nameof(argmax));
        RequireLength(dx, shape.InputLength, nameof(inputGradient));
        maxPoolBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolArguments>(PoolingKernels.MaxBackward);
        maxPoolBackward(shape.InputLength, dy.View, indices.View, dx.View, Arguments(shape));
    }

    public void AvgPoolForward(PoolShape shape, DeviceBuffer input, DeviceBuffer output)
    {
        shape.Validate();
        IlgpuBuffer x = Own(input);
        IlgpuBuffer y = Own(output);
        RequireLength(x, shape.InputLength, nameof(input));
        RequireLength(y, shape.OutputLength, nameof(output));
        avgPoolForward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolArguments>(PoolingKernels.AvgForward);
        avgPoolForward(shape.OutputLength, x.View, y.View, Arguments(shape));
    }

    public void AvgPoolBackward(PoolShape shape, DeviceBuffer outputGradient, DeviceBuffer inputGradient)
    {
        shape.Validate();
        IlgpuBuffer dy = Own(outputGradient);
        IlgpuBuffer dx = Own(inputGradient);
        RequireLength(dy, shape.OutputLength, nameof(outputGradient));
        RequireLength(dx, shape.InputLength, nameof(inputGradient));
        avgPoolBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolArguments>(PoolingKernels.AvgBackward);
        avgPoolBackward(shape.InputLength, dy.View, dx.View, Arguments(shape));
    }

    private static PoolArguments Arguments(PoolShape shape) => new()
    {
        Height = shape.Height,
        Width = shape.Width,
        WindowHeight = shape.WindowHeight,
        WindowWidth = shape.WindowWidth,
        Stride = shape.Stride,
        OutHeight = shape.OutHeight,
        OutWidth = shape.OutWidth,
    };
}
