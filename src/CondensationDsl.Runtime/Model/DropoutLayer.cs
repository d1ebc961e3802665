using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// Inverted dropout (SCIENCE.md §2) with keep probability p &lt; 1: in a training pass Y = X ⊙ M with M from
/// <see cref="DropoutMask"/> (0, or 1/p with probability p), and dX = dY ⊙ M with the same M. No parameters. Evaluation
/// passes do not reach this class: the model skips it. The mask is drawn on the host and uploaded, which makes it
/// identical on every device (devices have no RNG of their own here); per training pass that costs one Philox block per
/// four units and one upload of rows×width floats.
/// </summary>
public sealed class DropoutLayer : IDisposable
{
    private readonly IDevice device;
    private readonly DropoutMask masks;
    private readonly float[] hostMask;
    private readonly DeviceBuffer mask;
    private readonly DeviceBuffer y;

    public DropoutLayer(IDevice device, LayerSpec spec, string model, ulong seed, int capacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        DropoutMask.CheckKeep(spec.Keep, spec.Name);
        this.device = device;
        Spec = spec;
        Capacity = capacity;
        masks = new DropoutMask(seed, DropoutMask.StreamName(model, spec.Name), spec.Keep);
        hostMask = new float[capacity * spec.Width];
        mask = device.Allocate(capacity * spec.Width);
        y = device.Allocate(capacity * spec.Width);
    }

    public LayerSpec Spec { get; }

    public string Name => Spec.Name;

    public int Width => Spec.Width;

    public double Keep => Spec.Keep;

    public int Capacity { get; }

    /// <summary>The mask of the last training pass (rows×width: 0 or 1/p).</summary>
    public DeviceBuffer Mask => mask;

    /// <summary>Outputs of the last training pass (rows×width).</summary>
    public DeviceBuffer Output => y;

    /// <summary>Draws the mask of training step <paramref name="step"/> for <paramref name="rows"/> rows, computes Y = X ⊙ M and returns Y.</summary>
    public DeviceBuffer Forward(DeviceBuffer x, int rows, long step)
    {
        CheckRows(rows);
        var length = rows * Width;
        var values = hostMask.AsSpan(0, length);
        masks.Fill(DropoutMask.FirstElement(step, Capacity, Width), values);
        device.Upload(values, mask);
        device.Multiply(x, mask, y, length);
        return y;
    }

    /// <summary>dX = dY ⊙ M with the mask of the last training pass; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public void Backward(DeviceBuffer dy, DeviceBuffer dx, int rows)
    {
        CheckRows(rows);
        device.Multiply(dy, mask, dx, rows * Width);
    }

    public void Dispose()
    {
        mask.Dispose();
        y.Dispose();
    }

    private void CheckRows(int rows)
    {
        if (rows < 1 || rows > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Dropout layer '{Name}' holds masks for 1..{Capacity} rows.");
        }
    }
}
