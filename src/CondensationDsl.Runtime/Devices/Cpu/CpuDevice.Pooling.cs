namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// Max and average pooling (<see cref="IPoolingDevice"/>): a <see cref="PoolJob"/> split over image planes, so every
/// thread count gives the same bits. Average pooling is vectorised across the image width; max pooling is scalar
/// (a compare per element, with the first maximum kept).
/// </summary>
public sealed unsafe partial class CpuDevice : IPoolingDevice
{
    private readonly PoolJob poolJob = new();

    public void MaxPoolForward(PoolShape shape, DeviceBuffer input, DeviceBuffer output, DeviceBuffer argmax)
    {
        shape.Validate();
        var x = Own(input);
        var y = Own(output);
        var indices = Own(argmax);
        Require(x, shape.InputLength, nameof(input));
        Require(y, shape.OutputLength, nameof(output));
        Require(indices, shape.OutputLength, nameof(argmax));
        RunPool(PoolJob.Operation.MaxForward, shape, x.Pointer, y.Pointer, indices.Pointer, (long)shape.OutputLength * shape.WindowLength);
    }

    public void MaxPoolBackward(PoolShape shape, DeviceBuffer outputGradient, DeviceBuffer argmax, DeviceBuffer inputGradient)
    {
        shape.Validate();
        var dy = Own(outputGradient);
        var indices = Own(argmax);
        var dx = Own(inputGradient);
        Require(dy, shape.OutputLength, nameof(outputGradient));
        Require(indices, shape.OutputLength, nameof(argmax));
        Require(dx, shape.InputLength, nameof(inputGradient));
        RunPool(PoolJob.Operation.MaxBackward, shape, dy.Pointer, indices.Pointer, dx.Pointer, (long)shape.InputLength + shape.OutputLength);
    }

    public void AvgPoolForward(PoolShape shape, DeviceBuffer input, DeviceBuffer output)
    {
        shape.Validate();
        var x = Own(input);
        var y = Own(output);
        Require(x, shape.InputLength, nameof(input));
        Require(y, shape.OutputLength, nameof(output));
        RunPool(PoolJob.Operation.AvgForward, shape, x.Pointer, y.Pointer, null, (long)shape.OutputLength * shape.WindowLength);
    }

    public void AvgPoolBackward(PoolShape shape, DeviceBuffer outputGradient, DeviceBuffer inputGradient)
    {
        shape.Validate();
        var dy = Own(outputGradient);
        var dx = Own(inputGradient);
        Require(dy, shape.OutputLength, nameof(outputGradient));
        Require(dx, shape.InputLength, nameof(inputGradient));
        RunPool(PoolJob.Operation.AvgBackward, shape, dy.Pointer, dx.Pointer, null, (long)shape.OutputLength * shape.WindowLength + shape.InputLength);
    }

    private void RunPool(PoolJob.Operation operation, PoolShape shape, float* p0, float* p1, float* p2, long work)
    {
        poolJob.Set(operation, shape, p0, p1, p2);
        pool.Run(poolJob, PartsFor(work, poolJob.Units));
    }
}
