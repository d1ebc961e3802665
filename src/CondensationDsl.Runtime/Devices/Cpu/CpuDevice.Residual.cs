namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>The residual add (<see cref="IResidualDevice"/>): an <see cref="AddJob"/> over aligned element blocks.</summary>
public sealed unsafe partial class CpuDevice : IResidualDevice
{
    private readonly AddJob addJob = new();

    public void Add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var left = Own(a);
        var right = Own(b);
        var sum = Own(y);
        Require(left, length, nameof(a));
        Require(right, length, nameof(b));
        Require(sum, length, nameof(y));
        addJob.Set(left.Pointer, right.Pointer, sum.Pointer, length);
        pool.Run(addJob, PartsFor(length, addJob.Units));
    }
}
