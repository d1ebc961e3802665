using System.Runtime.CompilerServices;
namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The CPU device's non-GEMM operations as one reusable job: the device sets the operation and its operands, and each
/// part runs the kernel on its share of the units (elements, rows or column groups). One instance per device, so a
/// dispatch allocates nothing.
/// </summary>
internal sealed unsafe class RangeJob : IParallelWork
{
    public enum Operation { AddRow, SumRows, ActivationForward, ActivationBackward, Multiply, GradientDescent, Adam }

    // Parts start on multiples of this many elements so no two threads write the same cache line.
    private const int Alignment = 16;

    private Operation operation;
    private Activation activation;
    private float* p0;
    private float* p1;
    private float* p2;
    private float* p3;
    private int rows;
    private int columns;
    private int length;
    private float scalar;
    private AdamScalars adam;

    /// <summary>The number of units the operation is split over.</summary>
    public int Units { get; private set; }

    public void SetAddRow(float* matrix, float* row, int rows, int columns)
    {
        operation = Operation.AddRow;
        p0 = matrix;
        p1 = row;
        this.rows = rows;
        this.columns = columns;
        Units = rows;
    }

    public void SetSumRows(float* matrix, float* result, int rows, int columns)
    {
        operation = Operation.SumRows;
        p0 = matrix;
        p1 = result;
        this.rows = rows;
        this.columns = columns;
        Units = (columns + Alignment - 1) / Alignment;
    }

    public void SetActivation(bool backward, Activation activation, float* z, float* dyOrY, float* dz, int length)
    {
        operation = backward ? Operation.ActivationBackward : Operation.ActivationForward;
        this.activation = activation;
        p0 = z;
        p1 = dyOrY;
        p2 = dz;
        SetLength(length);
    }

    public void SetMultiply(float* x, float* mask, float* y, int length)
    {
        operation = Operation.Multiply;
        p0 = x;
        p1 = mask;
        p2 = y;
        SetLength(length);
    }

    public void SetGradientDescent(float* parameter, float* gradient, float learningRate, int length)
    {
        operation = Operation.GradientDescent;
        p0 = parameter;
        p1 = gradient;
        scalar = learningRate;
        SetLength(length);
    }

    public void SetAdam(float* parameter, float* gradient, float* first, float* second, AdamScalars scalars, int length)
    {
        operation = Operation.Adam;
        p0 = parameter;
        p1 = gradient;
        p2 = first;
        p3 = second;
        adam = scalars;
        SetLength(length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        var u0 = (int)((long)Units * part / parts);
        var u1 = (int)((long)Units * (part + 1) / parts);
        if (u0 >= u1)
        {
            return;
        }

        switch (operation)
        {
            case Operation.AddRow:
                Kernels.AddRow(p0, p1, columns, u0, u1);
                break;
            case Operation.SumRows:
                Kernels.SumRows(p0, rows, columns, p1, u0 * Alignment, Math.Min(columns, u1 * Alignment));
                break;
            case Operation.ActivationForward:
                Kernels.ActivationForward(activation, p0, p1, u0 * Alignment, Math.Min(length, u1 * Alignment));
                break;
            case Operation.ActivationBackward:
                Kernels.ActivationBackward(activation, p0, p1, p2, u0 * Alignment, Math.Min(length, u1 * Alignment));
                break;
            case Operation.Multiply:
                Kernels.Multiply(p0, p1, p2, u0 * Alignment, Math.Min(length, u1 * Alignment));
                break;
            case Operation.GradientDescent:
                Kernels.GradientDescent(p0, p1, scalar, u0 * Alignment, Math.Min(length, u1 * Alignment));
                break;
            case Operation.Adam:
                Kernels.Adam(p0, p1, p2, p3, adam, u0 * Alignment, Math.Min(length, u1 * Alignment));
                break;
        }
    }

    private void SetLength(int length)
    {
        this.length = length;
        Units = (length + Alignment - 1) / Alignment;
    }
}
