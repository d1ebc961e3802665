using CondensationDsl.Kernels.Kernels;
using CondensationDsl.Runtime.Devices;
using ILGPU;
using ILGPU.Runtime;

namespace CondensationDsl.Kernels;

/// <summary>
/// Softmax cross-entropy and accuracy (<see cref="ICrossEntropyDevice"/>) as <see cref="CrossEntropyKernels"/>, one thread
/// per row. Labels are downloaded and validated before any kernel runs. The kernel writes each row's (S, m, x_label) with
/// S = Σ exp(x_c − m) accumulated in float32 (error bound in <see cref="CrossEntropyKernels"/>); the host computes
/// log S + m − x_label and the mean over rows in float64, in row order.
/// </summary>
public sealed partial class IlgpuDevice : ICrossEntropyDevice
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>? softmaxRows;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? correctRows;

    // Per-row statistics or correctness flags; grown on demand and freed with the accelerator.
    private MemoryBuffer1D<float, Stride1D.Dense>? crossEntropyScratch;

    public double SoftmaxCrossEntropy(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer gradient, int rows, int classes)
    {
        ClassLabels.ValidateShape(rows, classes);
        IlgpuBuffer x = Own(logits);
        IlgpuBuffer t = Own(labels);
        IlgpuBuffer g = Own(gradient);
        RequireLength(x, rows * classes, nameof(logits));
        RequireLength(t, rows, nameof(labels));
        RequireLength(g, rows * classes, nameof(gradient));
        ValidateLabels(t, rows, classes);
        ArrayView<float> stats = Scratch(checked(CrossEntropyKernels.StatsPerRow * rows));
        softmaxRows ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(CrossEntropyKernels.SoftmaxRows);
        softmaxRows(rows, x.View, t.View, g.View, stats, classes, (float)(1.0 / rows));
        var host = new float[stats.IntLength];
        accelerator.Synchronize();
        stats.CopyToCPU(host);
        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            int s = CrossEntropyKernels.StatsPerRow * r;
            sum += Math.Log(host[s]) + host[s + 1] - (double)host[s + 2];
        }
        return sum / rows;
    }

    public int CountCorrect(DeviceBuffer logits, DeviceBuffer labels, int rows, int classes)
    {
        ClassLabels.ValidateShape(rows, classes);
        IlgpuBuffer x = Own(logits);
        IlgpuBuffer t = Own(labels);
        RequireLength(x, rows * classes, nameof(logits));
        RequireLength(t, rows, nameof(labels));
        ValidateLabels(t, rows, classes);
        ArrayView<float> flags = Scratch(rows);
        correctRows ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(CrossEntropyKernels.Correct);
        correctRows(rows, x.View, t.View, flags, classes);
        var host = new float[rows];
        accelerator.Synchronize();
        flags.CopyToCPU(host);
        int correct = 0;
        foreach (float flag in host)
        {
            correct += flag != 0 ? 1 : 0;
        }
        return correct;
    }

    private void ValidateLabels(IlgpuBuffer labels, int rows, int classes)
    {
        var host = new float[rows];
        accelerator.Synchronize();
        labels.View.SubView(0, rows).CopyToCPU(host);
        ClassLabels.Validate(host, classes);
    }

    private ArrayView<float> Scratch(int length)
    {
        if (crossEntropyScratch is null || crossEntropyScratch.Length < length)
        {
            crossEntropyScratch?.Dispose();
            crossEntropyScratch = accelerator.Allocate1D<float>(length);
        }
        return crossEntropyScratch.View.SubView(0, length);
    }
}
