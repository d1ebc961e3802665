using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>y = a + b elementwise, split into blocks of <see cref="Alignment"/> elements (whole cache lines per thread).
/// Each element is one float32 addition wherever it falls, so any split gives the same bits; y may alias a or b because
/// every element is read before it is written and by the same thread.</summary>
internal sealed unsafe class AddJob : IParallelWork
{
    private const int Alignment = 16;

    private float* a;
    private float* b;
    private float* y;
    private int length;

    /// <summary>The number of blocks the addition is split over.</summary>
    public int Units { get; private set; }

    public void Set(float* a, float* b, float* y, int length)
    {
        this.a = a;
        this.b = b;
        this.y = y;
        this.length = length;
        Units = (length + Alignment - 1) / Alignment;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        var start = (int)((long)Units * part / parts) * Alignment;
        var end = Math.Min(length, (int)((long)Units * (part + 1) / parts) * Alignment);
        var i = start;
        for (; i + 8 <= end; i += 8)
        {
            (Vector256.Load(a + i) + Vector256.Load(b + i)).Store(y + i);
        }

        for (; i < end; i++)
        {
            y[i] = a[i] + b[i];
        }
    }
}
