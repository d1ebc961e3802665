using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The native CPU device: SIMD kernels (Vector256 with FMA) on a fixed set of threads. Work is split by shape and
/// thread count alone and every reduction has a fixed order, so a rerun gives identical bits; most operations also
/// give the same bits for any thread count. Work smaller than <see cref="ParallelThreshold"/> runs on the calling thread,
/// because waking a worker costs more than a small kernel. One caller at a time: the device is not thread-safe.
/// </summary>
public sealed unsafe partial class CpuDevice : IDevice
{
    private readonly WorkerPool pool;
    private readonly GemmJob gemm = new();
    private readonly GemvJob gemv = new();
    private readonly NarrowGemmJob narrowGemm = new();
    private readonly RangeJob range = new();
    private float[] packed = GC.AllocateArray<float>(1024, pinned: true);
    private bool disposed;

    /// <summary>A device using every logical processor.</summary>
    public CpuDevice()
        : this(Environment.ProcessorCount)
    {
    }

    public CpuDevice(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        pool = new WorkerPool(threads);
        var simd = Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : Vector256.IsHardwareAccelerated ? "256-bit SIMD" : "no 256-bit SIMD";
        Name = $"cpu ({threads} thread{(threads == 1 ? "" : "s")}, {simd})";
    }

    public string Name { get; }

    public string Kind => "cpu";

    public int Threads => pool.ThreadCount;

    /// <summary>
    /// Operations with fewer element-operations than this (about a millisecond of work) run on the calling thread.
    /// Measured on W1 (operations of ~80 k elements, 2 cores, whole process): one thread trained in 0.315 s every time
    /// (user time = wall time); with the pool engaged at 32 k the same run took 0.30–1.8 s, because the worker spinning
    /// between microsecond-long operations competes with the calling thread for the core it runs beside.
    /// </summary>
    public long ParallelThreshold { get; set; } = 1L << 20;

    /// <summary>
    /// Whether GEMMs of the shape classes below go to their dedicated kernels (default). Those kernels give the same bits
    /// as the general tiles, only faster; off, every shape takes the general tiles (for side-by-side benchmarks and tests).
    /// </summary>
    public bool ShapeSpecificGemm { get; set; } = true;

    public DeviceBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ObjectDisposedException.ThrowIf(disposed, this);
        return new CpuBuffer(this, length);
    }

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination)
    {
        var target = Own(destination);
        if (source.Length > target.Length)
        {
            throw new ArgumentException($"Upload of {source.Length} floats into a buffer of {target.Length}.", nameof(source));
        }

        source.CopyTo(target.Data);
    }

    public void Download(DeviceBuffer source, Span<float> destination)
    {
        var buffer = Own(source);
        var count = Math.Min(buffer.Length, destination.Length);
        buffer.Data.AsSpan(0, count).CopyTo(destination);
    }

    public void Fill(DeviceBuffer buffer, float value) => Own(buffer).Span.Fill(value);

    public void Copy(DeviceBuffer source, DeviceBuffer destination)
    {
        var from = Own(source);
        var to = Own(destination);
        if (from.Length > to.Length)
        {
            throw new ArgumentException($"Copy of {from.Length} floats into a buffer of {to.Length}.", nameof(destination));
        }

        from.Span.CopyTo(to.Data);
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, DeviceBuffer a, DeviceBuffer b, float beta, DeviceBuffer c)
    {
        var bufferA = Own(a);
        var bufferB = Own(b);
        var bufferC = Own(c);
        Require(bufferA, (long)m * k, nameof(a));
        Require(bufferB, (long)k * n, nameof(b));
        Require(bufferC, (long)m * n, nameof(c));
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            ScaleOnly(bufferC.Pointer, (long)m * n, beta);
            return;
        }

        var work = (long)m * n * k + (long)m * n;
        if (n == 1)
        {
            // op(B) is k×1: contiguous whether B was transposed or not.
            gemv.Set(transposeA, bufferA.Pointer, bufferB.Pointer, bufferC.Pointer, m, k, alpha, beta);
            pool.Run(gemv, PartsFor(work, gemv.Blocks));
            return;
        }

        if (UsesNarrowGemm(transposeA, transposeB, n, k))
        {
            narrowGemm.Set(bufferA.Pointer, bufferB.Pointer, bufferC.Pointer, m, n, k, alpha, beta);
            pool.Run(narrowGemm, PartsFor(work, narrowGemm.Blocks));
            return;
        }

        var packedB = bufferB.Pointer;
        if (transposeB && k > 1)
        {
            // Bᵀ is packed k×n so the kernel streams contiguous rows; for k = 1, B (n×1) already is that row.
            packedB = Pack(bufferB.Pointer, n, k);
        }

        gemm.Set(bufferA.Pointer, transposeA ? 1 : k, transposeA ? m : 1, packedB, bufferC.Pointer, m, n, k, alpha, beta);
        if (UsesColumnMajorTiles(m, n, k))
        {
            gemm.SetColumnMajor();
        }

        pool.Run(gemm, PartsFor(work, gemm.Tiles));
    }

    public void AddRowBroadcast(DeviceBuffer matrix, DeviceBuffer row, int rows, int columns)
    {
        var target = Own(matrix);
        var source = Own(row);
        Require(target, (long)rows * columns, nameof(matrix));
        Require(source, columns, nameof(row));
        range.SetAddRow(target.Pointer, source.Pointer, rows, columns);
        pool.Run(range, PartsFor((long)rows * columns, range.Units));
    }

    public void SumOverRows(DeviceBuffer matrix, int rows, int columns, DeviceBuffer result)
    {
        var source = Own(matrix);
        var target = Own(result);
        Require(source, (long)rows * columns, nameof(matrix));
        Require(target, columns, nameof(result));
        range.SetSumRows(source.Pointer, target.Pointer, rows, columns);
        pool.Run(range, PartsFor((long)rows * columns, range.Units));
    }

    public void ActivationForward(Activation activation, DeviceBuffer z, DeviceBuffer y, int length)
    {
        var input = Own(z);
        var output = Own(y);
        Require(input, length, nameof(z));
        Require(output, length, nameof(y));
        range.SetActivation(backward: false, activation, input.Pointer, output.Pointer, null, length);
        pool.Run(range, PartsFor(ActivationCost(activation) * length, range.Units));
    }

    public void ActivationBackward(Activation activation, DeviceBuffer z, DeviceBuffer dy, DeviceBuffer dz, int length)
    {
        var input = Own(z);
        var upstream = Own(dy);
        var output = Own(dz);
        Require(input, length, nameof(z));
        Require(upstream, length, nameof(dy));
        Require(output, length, nameof(dz));
        range.SetActivation(backward: true, activation, input.Pointer, upstream.Pointer, output.Pointer, length);
        pool.Run(range, PartsFor(ActivationCost(activation) * length, range.Units));
    }

    public void Multiply(DeviceBuffer x, DeviceBuffer mask, DeviceBuffer y, int length)
    {
        var input = Own(x);
        var factors = Own(mask);
        var output = Own(y);
        Require(input, length, nameof(x));
        Require(factors, length, nameof(mask));
        Require(output, length, nameof(y));
        range.SetMultiply(input.Pointer, factors.Pointer, output.Pointer, length);
        pool.Run(range, PartsFor(length, range.Units));
    }

    /// <remarks>A kernel like the jobs' (optimized from the first call), run on the calling thread: see the comment in it.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double MseLossAndGradient(DeviceBuffer prediction, DeviceBuffer target, DeviceBuffer gradient, int length)
    {
        var p = Own(prediction).Pointer;
        var t = Own(target).Pointer;
        var g = Own(gradient).Pointer;
        Require(Own(prediction), length, nameof(prediction));
        Require(Own(target), length, nameof(target));
        Require(Own(gradient), length, nameof(gradient));
        if (length == 0)
        {
            return 0;
        }

        // Serial on purpose: the loss has one output per sample, far below the parallel threshold in practice,
        // and one pass in index order fixes the summation order.
        var scale = 2f / length;
        var sum = 0.0;
        for (var i = 0; i < length; i++)
        {
            var difference = p[i] - t[i];
            g[i] = scale * difference;
            sum += (double)difference * difference;
        }

        return sum / length;
    }

    public void GradientDescentStep(DeviceBuffer parameter, DeviceBuffer gradient, float learningRate, int length)
    {
        var p = Own(parameter);
        var g = Own(gradient);
        Require(p, length, nameof(parameter));
        Require(g, length, nameof(gradient));
        range.SetGradientDescent(p.Pointer, g.Pointer, learningRate, length);
        pool.Run(range, PartsFor(length, range.Units));
    }

    public void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, AdamStepParameters hyper, int length)
    {
        var p = Own(parameter);
        var g = Own(gradient);
        var m = Own(firstMoment);
        var v = Own(secondMoment);
        Require(p, length, nameof(parameter));
        Require(g, length, nameof(gradient));
        Require(m, length, nameof(firstMoment));
        Require(v, length, nameof(secondMoment));
        range.SetAdam(p.Pointer, g.Pointer, m.Pointer, v.Pointer, AdamScalars.From(hyper), length);
        pool.Run(range, PartsFor(8L * length, range.Units));
    }

    public void Synchronize()
    {
    }

    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            pool.Dispose();
        }
    }

    internal CpuBuffer Own(DeviceBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ObjectDisposedException.ThrowIf(disposed, this);
        return buffer is CpuBuffer own && ReferenceEquals(own.Owner, this)
            ? own
            : throw new ArgumentException("The buffer was allocated by another device.", nameof(buffer));
    }

    private static void Require(CpuBuffer buffer, long needed, string name)
    {
        if (buffer.Length < needed)
        {
            throw new ArgumentException($"Buffer '{name}' holds {buffer.Length} floats; the operation needs {needed}.", name);
        }
    }

    /// <summary>Transcendental activations cost roughly ten simple operations per element.</summary>
    private static long ActivationCost(Activation activation) => activation is Activation.Linear or Activation.Relu ? 1 : 10;

    private static void ScaleOnly(float* c, long count, float beta)
    {
        for (long i = 0; i < count; i++)
        {
            c[i] = beta == 0 ? 0 : beta * c[i];
        }
    }

    private int PartsFor(long work, int units) =>
        work < ParallelThreshold ? 1 : (int)Math.Min(pool.ThreadCount, Math.Max(1, units));

    /// <summary>
    /// Routing rule of the narrow kernel: C = A·Bᵀ with 2 ≤ n ≤ 16 and k ≥ 1024 (a dense layer with few outputs and many
    /// inputs). There the general tiles degenerate into k-long scalar FMA chains per column; below k = 1024 they are
    /// cheap enough, and keeping those shapes on them leaves the small experiments' code paths untouched.
    /// </summary>
    private bool UsesNarrowGemm(bool transposeA, bool transposeB, int n, int k) =>
        ShapeSpecificGemm && !transposeA && transposeB && n >= 2 && n <= NarrowGemmJob.MaxColumns && k >= 1024;

    /// <summary>
    /// Routing rule of the column-major tile order: m ≤ 16, n ≥ 1024 and k ≥ 32 (the weight gradient dW = dZᵀ·X of a
    /// layer with few outputs, k = the batch rows). Row-major tiles stream all of B (k×n, megabytes) once per 4-row block
    /// of C; column-major streams it once. Same kernel, same order per element, so the same bits either way.
    /// </summary>
    private bool UsesColumnMajorTiles(int m, int n, int k) => ShapeSpecificGemm && m <= 16 && n >= 1024 && k >= 32;

    /// <summary>Copies B (n×k) transposed into the packing scratch (k×n) and returns it.</summary>
    private float* Pack(float* b, int n, int k)
    {
        var needed = (long)n * k;
        if (packed.Length < needed)
        {
            packed = GC.AllocateArray<float>((int)needed, pinned: true);
        }

        fixed (float* target = packed)
        {
            // Blocked transpose: 16×16 squares keep both sides within a few cache lines.
            for (var j0 = 0; j0 < n; j0 += 16)
            {
                for (var p0 = 0; p0 < k; p0 += 16)
                {
                    var j1 = Math.Min(n, j0 + 16);
                    var p1 = Math.Min(k, p0 + 16);
                    for (var j = j0; j < j1; j++)
                    {
                        for (var p = p0; p < p1; p++)
                        {
                            target[(long)p * n + j] = b[(long)j * k + p];
                        }
                    }
                }
            }

            // The array is pinned (pinned object heap), so the pointer outlives this block.
            return target;
        }
    }
}
