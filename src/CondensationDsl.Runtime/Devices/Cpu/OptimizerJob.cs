using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The CPU device's weight-decay, momentum and AdamW updates (<see cref="IOptimizerDevice"/>) as one reusable job split
/// over aligned element ranges. Every element is updated on its own, so any split gives the same bits.
/// </summary>
internal sealed unsafe class OptimizerJob : IParallelWork
{
    public enum Operation { SgdDecay, SgdMomentum, Adam }

    // Parts start on multiples of this many elements so no two threads write the same cache line.
    private const int Alignment = 16;

    private Operation operation;
    private float* parameter;
    private float* gradient;
    private float* first;
    private float* second;
    private int length;
    private SgdScalars sgd;
    private AdamDecayScalars adam;

    /// <summary>The number of aligned element groups the operation is split over.</summary>
    public int Units { get; private set; }

    /// <summary>SGD without momentum: θ ← θ − lr·(g + λθ).</summary>
    public void SetSgdDecay(float* parameter, float* gradient, SgdScalars scalars, int length)
    {
        operation = Operation.SgdDecay;
        this.parameter = parameter;
        this.gradient = gradient;
        sgd = scalars;
        SetLength(length);
    }

    /// <summary>SGD with momentum; <paramref name="velocity"/> is read (after the first step) and written.</summary>
    public void SetSgdMomentum(float* parameter, float* gradient, float* velocity, SgdScalars scalars, int length)
    {
        operation = Operation.SgdMomentum;
        this.parameter = parameter;
        this.gradient = gradient;
        first = velocity;
        sgd = scalars;
        SetLength(length);
    }

    /// <summary>Adam with L2 or decoupled weight decay.</summary>
    public void SetAdam(float* parameter, float* gradient, float* firstMoment, float* secondMoment, AdamDecayScalars scalars, int length)
    {
        operation = Operation.Adam;
        this.parameter = parameter;
        this.gradient = gradient;
        first = firstMoment;
        second = secondMoment;
        adam = scalars;
        SetLength(length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        var start = (int)((long)Units * part / parts) * Alignment;
        var end = Math.Min(length, (int)((long)Units * (part + 1) / parts) * Alignment);
        if (start >= end)
        {
            return;
        }

        switch (operation)
        {
            case Operation.SgdDecay:
                CpuOptimizerKernels.SgdDecay(parameter, gradient, sgd, start, end);
                break;
            case Operation.SgdMomentum:
                CpuOptimizerKernels.SgdMomentum(parameter, gradient, first, sgd, start, end);
                break;
            case Operation.Adam:
                CpuOptimizerKernels.AdamDecay(parameter, gradient, first, second, adam, start, end);
                break;
        }
    }

    private void SetLength(int length)
    {
        this.length = length;
        Units = (length + Alignment - 1) / Alignment;
    }
}

/// <summary>SGD's scalars for one update (float32, as the kernels use them).</summary>
internal readonly record struct SgdScalars(float LearningRate, float Momentum, float WeightDecay, bool Nesterov, bool FirstStep)
{
    public static SgdScalars From(SgdStepParameters h) => new(h.LearningRate, h.Momentum, h.WeightDecay, h.Nesterov, h.FirstStep);
}

/// <summary>Adam's per-step scalars (<see cref="AdamScalars"/>) with the weight decay: λ added to the gradient as λθ
/// (0 for AdamW) and AdamW's factor 1 − lr·λ on θ (1 for L2).</summary>
internal readonly record struct AdamDecayScalars(AdamScalars Adam, float GradientRate, float DecoupledFactor)
{
    public static AdamDecayScalars From(AdamStepParameters h, AdamWeightDecay decay) =>
        new(AdamScalars.From(h), decay.GradientRate, decay.DecoupledFactor(h.LearningRate));
}

/// <summary>
/// The SIMD kernels of <see cref="OptimizerJob"/>, in the style of <see cref="Kernels.GradientDescent"/> and
/// <see cref="Kernels.Adam"/>: FMAs where torch rounds a product and a sum separately (one rounding instead of two).
/// </summary>
internal static unsafe class CpuOptimizerKernels
{
    /// <summary>θ ← θ − lr·(g + λθ) (torch.optim.SGD, momentum 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SgdDecay(float* p, float* g, in SgdScalars s, int start, int end)
    {
        var lr = Vector256.Create(-s.LearningRate);
        var decay = Vector256.Create(s.WeightDecay);
        var i = start;
        for (; i + 8 <= end; i += 8)
        {
            var pi = Vector256.Load(p + i);
            var di = Vector256.FusedMultiplyAdd(decay, pi, Vector256.Load(g + i));
            Vector256.Store(Vector256.FusedMultiplyAdd(lr, di, pi), p + i);
        }

        for (; i < end; i++)
        {
            var di = MathF.FusedMultiplyAdd(s.WeightDecay, p[i], g[i]);
            p[i] = MathF.FusedMultiplyAdd(-s.LearningRate, di, p[i]);
        }
    }

    /// <summary>
    /// torch.optim.SGD with momentum μ (dampening 0): d = g + λθ; v = d at the first step, else v = μv + d;
    /// θ ← θ − lr·(Nesterov ? d + μv : v).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SgdMomentum(float* p, float* g, float* v, in SgdScalars s, int start, int end)
    {
        var lr = Vector256.Create(-s.LearningRate);
        var decay = Vector256.Create(s.WeightDecay);
        var momentum = Vector256.Create(s.Momentum);
        var i = start;
        for (; i + 8 <= end; i += 8)
        {
            var pi = Vector256.Load(p + i);
            var di = Vector256.FusedMultiplyAdd(decay, pi, Vector256.Load(g + i));
            var vi = s.FirstStep ? di : Vector256.FusedMultiplyAdd(momentum, Vector256.Load(v + i), di);
            var step = s.Nesterov ? Vector256.FusedMultiplyAdd(momentum, vi, di) : vi;
            Vector256.Store(vi, v + i);
            Vector256.Store(Vector256.FusedMultiplyAdd(lr, step, pi), p + i);
        }

        for (; i < end; i++)
        {
            var pi = p[i];
            var di = MathF.FusedMultiplyAdd(s.WeightDecay, pi, g[i]);
            var vi = s.FirstStep ? di : MathF.FusedMultiplyAdd(s.Momentum, v[i], di);
            var step = s.Nesterov ? MathF.FusedMultiplyAdd(s.Momentum, vi, di) : vi;
            v[i] = vi;
            p[i] = MathF.FusedMultiplyAdd(-s.LearningRate, step, pi);
        }
    }

    /// <summary>
    /// <see cref="Kernels.Adam"/> with weight decay: the gradient is g + λθ (L2; λ = 0 for AdamW) and the parameter the
    /// step is taken from is θ·(1 − lr·λ) (AdamW; factor 1 for L2), as torch.optim.Adam and AdamW compute them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdamDecay(float* p, float* g, float* m, float* v, in AdamDecayScalars d, int start, int end)
    {
        var s = d.Adam;
        var oneMinusBeta1 = Vector256.Create(s.OneMinusBeta1);
        var beta2 = Vector256.Create(s.Beta2);
        var oneMinusBeta2 = Vector256.Create(s.OneMinusBeta2);
        var inverseBias2 = Vector256.Create(s.InverseSqrtBias2);
        var epsilon = Vector256.Create(s.Epsilon);
        var stepSize = Vector256.Create(s.StepSize);
        var gradientRate = Vector256.Create(d.GradientRate);
        var factor = Vector256.Create(d.DecoupledFactor);
        var i = start;
        for (; i + 8 <= end; i += 8)
        {
            var pi = Vector256.Load(p + i);
            var gi = Vector256.FusedMultiplyAdd(gradientRate, pi, Vector256.Load(g + i));
            var mi = Vector256.Load(m + i);
            mi = Vector256.FusedMultiplyAdd(oneMinusBeta1, gi - mi, mi);
            var vi = Vector256.FusedMultiplyAdd(oneMinusBeta2, gi * gi, beta2 * Vector256.Load(v + i));
            var denominator = Vector256.FusedMultiplyAdd(Vector256.Sqrt(vi), inverseBias2, epsilon);
            Vector256.Store(mi, m + i);
            Vector256.Store(vi, v + i);
            Vector256.Store(pi * factor - stepSize * (mi / denominator), p + i);
        }

        for (; i < end; i++)
        {
            var pi = p[i];
            var gi = MathF.FusedMultiplyAdd(d.GradientRate, pi, g[i]);
            var mi = MathF.FusedMultiplyAdd(s.OneMinusBeta1, gi - m[i], m[i]);
            var vi = MathF.FusedMultiplyAdd(s.OneMinusBeta2, gi * gi, s.Beta2 * v[i]);
            var denominator = MathF.FusedMultiplyAdd(MathF.Sqrt(vi), s.InverseSqrtBias2, s.Epsilon);
            m[i] = mi;
            v[i] = vi;
            p[i] = pi * d.DecoupledFactor - s.StepSize * (mi / denominator);
        }
    }
}
