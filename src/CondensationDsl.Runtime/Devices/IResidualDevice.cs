namespace CondensationDsl.Runtime.Devices;

/// <summary>
/// The elementwise sum a residual (skip) connection needs, y = a + b. <see cref="IDevice"/> has only broadcast adds
/// (<see cref="IDevice.AddRowBroadcast"/>); its backward pass needs nothing new (the gradient flows unchanged into both
/// branches, so callers add the branches' gradients with this same operation).
/// </summary>
public interface IResidualDevice : IDevice
{
    /// <summary>y[i] = a[i] + b[i] for i &lt; length, one float32 rounding each (so the same bits on every device).
    /// <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>. Throws <see cref="ArgumentException"/>
    /// when a buffer holds fewer than <paramref name="length"/> floats.</summary>
    void Add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, int length);
}
