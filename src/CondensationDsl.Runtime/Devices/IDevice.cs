namespace CondensationDsl.Runtime.Devices;

/// <summary>Activation functions known to every device. x·tanh(x) and x²·tanh(x) have multiplicity 2 and 3.</summary>
public enum Activation { Linear, Relu, Tanh, Sigmoid, Softplus, XTanh, X2Tanh }

/// <summary>A float32 buffer that lives on one device. Only the device that allocated it may use it.</summary>
public abstract class DeviceBuffer : IDisposable
{
    protected DeviceBuffer(int length) => Length = length;

    public int Length { get; }

    public abstract void Dispose();
}

/// <summary>Adam's hyper-parameters for one update; <see cref="Step"/> is 1-based (bias correction).</summary>
public readonly record struct AdamStepParameters(float LearningRate, float Beta1, float Beta2, float Epsilon, long Step);

/// <summary>
/// The operations a model needs, implemented once per device: natively on the CPU (SIMD, threads) and as
/// ILGPU kernels on CUDA, OpenCL and ILGPU's CPU accelerator. All matrices are row-major float32.
/// Every operation is deterministic for fixed inputs on a given device (fixed partitioning and reduction order).
/// </summary>
public interface IDevice : IDisposable
{
    /// <summary>Human-readable description, e.g. "cpu (2 threads, AVX2)" or "cuda: NVIDIA H200".</summary>
    string Name { get; }

    /// <summary>The device kind as the CLI names it: cpu, ilgpu-cpu, cuda or opencl.</summary>
    string Kind { get; }

    /// <summary>A new zero-filled buffer of <paramref name="length"/> floats.</summary>
    DeviceBuffer Allocate(int length);

    void Upload(ReadOnlySpan<float> source, DeviceBuffer destination);

    void Download(DeviceBuffer source, Span<float> destination);

    void Fill(DeviceBuffer buffer, float value);

    void Copy(DeviceBuffer source, DeviceBuffer destination);

    /// <summary>C (m×n) = alpha·op(A)·op(B) + beta·C, where op(A) is m×k and op(B) is k×n (transposed when asked).</summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, DeviceBuffer a, DeviceBuffer b, float beta, DeviceBuffer c);

    /// <summary>matrix[r, c] += row[c] for a rows×columns matrix (bias add).</summary>
    void AddRowBroadcast(DeviceBuffer matrix, DeviceBuffer row, int rows, int columns);

    /// <summary>result[c] = Σ_r matrix[r, c] for a rows×columns matrix (bias gradient).</summary>
    void SumOverRows(DeviceBuffer matrix, int rows, int columns, DeviceBuffer result);

    /// <summary>y[i] = σ(z[i]) for i &lt; length.</summary>
    void ActivationForward(Activation activation, DeviceBuffer z, DeviceBuffer y, int length);

    /// <summary>dz[i] = dy[i]·σ'(z[i]) for i &lt; length.</summary>
    void ActivationBackward(Activation activation, DeviceBuffer z, DeviceBuffer dy, DeviceBuffer dz, int length);

    /// <summary>y[i] = x[i]·mask[i] for i &lt; length (one float32 rounding; <paramref name="y"/> may be <paramref name="x"/>).
    /// Applies a dropout mask (0 or 1/p per element) in the forward pass and again to the gradient in the backward pass.</summary>
    void Multiply(DeviceBuffer x, DeviceBuffer mask, DeviceBuffer y, int length);

    /// <summary>Returns mean((p − t)²) over length values and writes gradient[i] = 2(p[i] − t[i]) / length.</summary>
    double MseLossAndGradient(DeviceBuffer prediction, DeviceBuffer target, DeviceBuffer gradient, int length);

    /// <summary>parameter −= learningRate · gradient.</summary>
    void GradientDescentStep(DeviceBuffer parameter, DeviceBuffer gradient, float learningRate, int length);

    /// <summary>One Adam update (PyTorch's formulation, no weight decay) of parameter with its two moment buffers.</summary>
    void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, AdamStepParameters hyper, int length);

    /// <summary>Waits until all queued work is done (a no-op on the CPU device).</summary>
    void Synchronize();
}
