using CondensationDsl.Kernels.Kernels;
using CondensationDsl.Runtime.Devices;
using ILGPU;
using ILGPU.Runtime;
using IDevice = CondensationDsl.Runtime.Devices.IDevice;

namespace CondensationDsl.Kernels;

/// <summary>
/// <see cref="IDevice"/> on an ILGPU accelerator (CUDA, OpenCL or ILGPU's CPU simulator): every operation is one or two
/// kernels of the library (<see cref="KernelRegistry"/>) queued on the accelerator's default stream, so operations run
/// in call order without explicit synchronization; only the loss and downloads wait for the GPU.
/// Not thread-safe, like the accelerator stream it wraps. Owns (and disposes) its ILGPU context and accelerator.
/// </summary>
public sealed partial class IlgpuDevice : IDevice
{
    private readonly Context context;
    private readonly Accelerator accelerator;

    // Kernels are compiled on first use and kept: ILGPU compilation costs milliseconds to seconds per kernel, so loading
    // lazily keeps start-up short for programs that never use, say, Adam.
    private Action<Index1D, ArrayView<float>, float>? fill;
    private Action<Index1D, ArrayView<float>, ArrayView<float>>? copy;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int>? addRowBroadcast;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int>? activationForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? activationBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int>? sumOverRows;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>? multiply;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>? msePartials;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, float>? mseFinish;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, float>? gradientDescent;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamCoefficients>? adam;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments>? gemmTiled;
    private Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments>? gemmSimple;
    private readonly bool tiledGemm;

    // Scratch for the MSE's partial sums and result, allocated once.
    private MemoryBuffer1D<float, Stride1D.Dense>? msePartialsBuffer;
    private MemoryBuffer1D<float, Stride1D.Dense>? mseResultBuffer;

    internal IlgpuDevice(Context context, Accelerator accelerator, string kind, GemmKernelChoice gemm = GemmKernelChoice.Auto)
    {
        this.context = context;
        this.accelerator = accelerator;
        Kind = kind;
        Name = $"{kind}: {accelerator.Name}";
        bool tiledFits = accelerator.MaxNumThreadsPerGroup >= GemmKernels.Tile * GemmKernels.Tile;
        if (gemm == GemmKernelChoice.Tiled && !tiledFits)
        {
            throw new DeviceUnavailableException(
                $"{Name} allows {accelerator.MaxNumThreadsPerGroup} threads per group; the tiled GEMM kernel needs " +
                $"{GemmKernels.Tile * GemmKernels.Tile}.");
        }
        // Auto: tiled on GPUs; on ILGPU's CPU simulator the simple kernel, because simulating group barriers is
        // ~100× slower than the arithmetic they save there.
        tiledGemm = gemm == GemmKernelChoice.Tiled
            || (gemm == GemmKernelChoice.Auto && tiledFits && accelerator.AcceleratorType != AcceleratorType.CPU);
    }

    public string Name { get; }

    public string Kind { get; }

    /// <summary>The ILGPU accelerator, for diagnostics and benchmarks.</summary>
    public Accelerator Accelerator => accelerator;

    internal bool IsDisposed { get; private set; }

    public DeviceBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ThrowIfDisposed();
        MemoryBuffer1D<float, Stride1D.Dense> memory = accelerator.Allocate1D<float>(Math.Max(length, 1));
        memory.MemSetToZero();
        return new IlgpuBuffer(this, memory, length);
    }

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination)
    {
        IlgpuBuffer d = Own(destination);
        RequireLength(d, source.Length, nameof(destination));
        if (source.Length > 0)
        {
            d.View.SubView(0, source.Length).CopyFromCPU(source);
        }
    }

    public void Download(DeviceBuffer source, Span<float> destination)
    {
        IlgpuBuffer s = Own(source);
        RequireLength(s, destination.Length, nameof(source));
        if (destination.Length > 0)
        {
            accelerator.Synchronize();
            s.View.SubView(0, destination.Length).CopyToCPU(destination);
        }
    }

    public void Fill(DeviceBuffer buffer, float value)
    {
        IlgpuBuffer b = Own(buffer);
        if (b.Length > 0)
        {
            fill ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Fill);
            fill(b.Length, b.View, value);
        }
    }

    public void Copy(DeviceBuffer source, DeviceBuffer destination)
    {
        IlgpuBuffer s = Own(source);
        IlgpuBuffer d = Own(destination);
        RequireLength(d, s.Length, nameof(destination));
        if (s.Length > 0)
        {
            copy ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Copy);
            copy(s.Length, s.View, d.View);
        }
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, DeviceBuffer a, DeviceBuffer b, float beta, DeviceBuffer c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        IlgpuBuffer ba = Own(a);
        IlgpuBuffer bb = Own(b);
        IlgpuBuffer bc = Own(c);
        RequireLength(ba, checked(m * k), nameof(a));
        RequireLength(bb, checked(k * n), nameof(b));
        RequireLength(bc, checked(m * n), nameof(c));
        if (m == 0 || n == 0)
        {
            return;
        }
        var arguments = new GemmArguments
        {
            M = m, N = n, K = k, TransposeA = transposeA ? 1 : 0, TransposeB = transposeB ? 1 : 0, Alpha = alpha, Beta = beta,
        };
        if (tiledGemm)
        {
            gemmTiled ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments>(GemmKernels.Tiled);
            const int tile = GemmKernels.Tile;
            var config = new KernelConfig(new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile), new Index2D(tile, tile));
            gemmTiled(config, ba.View, bb.View, bc.View, arguments);
        }
        else
        {
            gemmSimple ??= accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments>(GemmKernels.Simple);
            gemmSimple(new Index2D(n, m), ba.View, bb.View, bc.View, arguments);
        }
    }

    public void AddRowBroadcast(DeviceBuffer matrix, DeviceBuffer row, int rows, int columns)
    {
        IlgpuBuffer mat = Own(matrix);
        IlgpuBuffer r = Own(row);
        int count = CheckedMatrix(rows, columns);
        RequireLength(mat, count, nameof(matrix));
        RequireLength(r, columns, nameof(row));
        if (count > 0)
        {
            addRowBroadcast ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.AddRowBroadcast);
            addRowBroadcast(count, mat.View, r.View, columns);
        }
    }

    public void SumOverRows(DeviceBuffer matrix, int rows, int columns, DeviceBuffer result)
    {
        IlgpuBuffer mat = Own(matrix);
        IlgpuBuffer res = Own(result);
        RequireLength(mat, CheckedMatrix(rows, columns), nameof(matrix));
        RequireLength(res, columns, nameof(result));
        if (columns > 0)
        {
            sumOverRows ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ReductionKernels.SumOverRows);
            sumOverRows(columns, mat.View, res.View, rows, columns);
        }
    }

    public void ActivationForward(Activation activation, DeviceBuffer z, DeviceBuffer y, int length)
    {
        IlgpuBuffer bz = Own(z);
        IlgpuBuffer by = Own(y);
        CheckActivation(activation);
        RequireLength(bz, length, nameof(z));
        RequireLength(by, length, nameof(y));
        if (length > 0)
        {
            activationForward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ActivationKernels.Forward);
            activationForward(length, bz.View, by.View, (int)activation);
        }
    }

    public void ActivationBackward(Activation activation, DeviceBuffer z, DeviceBuffer dy, DeviceBuffer dz, int length)
    {
        IlgpuBuffer bz = Own(z);
        IlgpuBuffer bdy = Own(dy);
        IlgpuBuffer bdz = Own(dz);
        CheckActivation(activation);
        RequireLength(bz, length, nameof(z));
        RequireLength(bdy, length, nameof(dy));
        RequireLength(bdz, length, nameof(dz));
        if (length > 0)
        {
            activationBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ActivationKernels.Backward);
            activationBackward(length, bz.View, bdy.View, bdz.View, (int)activation);
        }
    }

    public void Multiply(DeviceBuffer x, DeviceBuffer mask, DeviceBuffer y, int length)
    {
        IlgpuBuffer bx = Own(x);
        IlgpuBuffer bm = Own(mask);
        IlgpuBuffer by = Own(y);
        RequireLength(bx, length, nameof(x));
        RequireLength(bm, length, nameof(mask));
        RequireLength(by, length, nameof(y));
        if (length > 0)
        {
            multiply ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Multiply);
            multiply(length, bx.View, bm.View, by.View);
        }
    }

    public double MseLossAndGradient(DeviceBuffer prediction, DeviceBuffer target, DeviceBuffer gradient, int length)
    {
        IlgpuBuffer p = Own(prediction);
        IlgpuBuffer t = Own(target);
        IlgpuBuffer g = Own(gradient);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        RequireLength(p, length, nameof(prediction));
        RequireLength(t, length, nameof(target));
        RequireLength(g, length, nameof(gradient));
        msePartials ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(ReductionKernels.MsePartials);
        mseFinish ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(ReductionKernels.MseFinish);
        msePartialsBuffer ??= accelerator.Allocate1D<float>(ReductionKernels.MsePartialCount);
        mseResultBuffer ??= accelerator.Allocate1D<float>(1);

        msePartials(ReductionKernels.MsePartialCount, p.View, t.View, g.View, msePartialsBuffer.View, length, (float)(2.0 / length));
        mseFinish(1, msePartialsBuffer.View, mseResultBuffer.View, ReductionKernels.MsePartialCount, (float)(1.0 / length));
        Span<float> loss = stackalloc float[1];
        accelerator.Synchronize();
        mseResultBuffer.View.AsContiguous().CopyToCPU(loss);
        return loss[0];
    }

    public void GradientDescentStep(DeviceBuffer parameter, DeviceBuffer gradient, float learningRate, int length)
    {
        IlgpuBuffer p = Own(parameter);
        IlgpuBuffer g = Own(gradient);
        RequireLength(p, length, nameof(parameter));
        RequireLength(g, length, nameof(gradient));
        if (length > 0)
        {
            gradientDescent ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(OptimizerKernels.GradientDescent);
            gradientDescent(length, p.View, g.View, learningRate);
        }
    }

    public void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, AdamStepParameters hyper, int length)
    {
        IlgpuBuffer p = Own(parameter);
        IlgpuBuffer g = Own(gradient);
        IlgpuBuffer m = Own(firstMoment);
        IlgpuBuffer v = Own(secondMoment);
        ArgumentOutOfRangeException.ThrowIfLessThan(hyper.Step, 1L, nameof(hyper));
        RequireLength(p, length, nameof(parameter));
        RequireLength(g, length, nameof(gradient));
        RequireLength(m, length, nameof(firstMoment));
        RequireLength(v, length, nameof(secondMoment));
        if (length == 0)
        {
            return;
        }
        adam ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamCoefficients>(OptimizerKernels.Adam);
        var coefficients = new AdamCoefficients
        {
            LearningRate = hyper.LearningRate,
            Beta1 = hyper.Beta1,
            Beta2 = hyper.Beta2,
            Epsilon = hyper.Epsilon,
            // 1 − β^t in float64 on the host: β^t underflows gracefully and costs nothing per element.
            BiasCorrection1 = (float)(1.0 - Math.Pow(hyper.Beta1, hyper.Step)),
            BiasCorrection2 = (float)(1.0 - Math.Pow(hyper.Beta2, hyper.Step)),
        };
        adam(length, p.View, g.View, m.View, v.View, coefficients);
    }

    public void Synchronize()
    {
        ThrowIfDisposed();
        accelerator.Synchronize();
    }

    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }
        // Scratch buffers, then the accelerator (which frees any buffer callers still hold), then the context.
        msePartialsBuffer?.Dispose();
        mseResultBuffer?.Dispose();
        accelerator.Dispose();
        context.Dispose();
        IsDisposed = true;
    }

    private IlgpuBuffer Own(DeviceBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ThrowIfDisposed();
        if (buffer is not IlgpuBuffer own || !ReferenceEquals(own.Owner, this))
        {
            throw new ArgumentException($"The buffer was not allocated by this device ({Name}).", nameof(buffer));
        }
        return own;
    }

    private static void RequireLength(IlgpuBuffer buffer, int needed, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(needed, name);
        if (buffer.Length < needed)
        {
            throw new ArgumentException($"Buffer '{name}' holds {buffer.Length} floats; the operation needs {needed}.", name);
        }
    }

    private static int CheckedMatrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        return checked(rows * columns);
    }

    private static void CheckActivation(Activation activation)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);
}
