using CondensationDsl.Runtime.Program;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// Single-threaded SIMD kernels over index ranges. The device splits work into ranges; element-wise kernels give the
/// same bits for any split, and the reductions here have an order fixed by their inputs alone.
/// Hot loops here and in the jobs are marked AggressiveOptimization: with tiered compilation a short run (W1 takes
/// well under a second) would spend much of its time in unoptimised or on-stack-replaced loops before tier 1 arrives.
/// </summary>
internal static unsafe class Kernels
{
    // Transcendental activations are evaluated through a stack chunk of this many floats.
    private const int Chunk = 256;

    /// <summary>Σ x[i]·y[i] with four 8-lane accumulators combined in a fixed order, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(float* x, float* y, int length)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        var i = 0;
        for (; i + 32 <= length; i += 32)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8), Vector256.Load(y + i + 8), s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 16), Vector256.Load(y + i + 16), s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 24), Vector256.Load(y + i + 24), s3);
        }

        for (; i + 8 <= length; i += 8)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), s0);
        }

        var sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        for (; i < length; i++)
        {
            sum = MathF.FusedMultiplyAdd(x[i], y[i], sum);
        }

        return sum;
    }

    /// <summary>rows [r0, r1) of matrix += row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRow(float* matrix, float* row, int columns, int r0, int r1)
    {
        for (var r = r0; r < r1; r++)
        {
            var target = matrix + (long)r * columns;
            var j = 0;
            for (; j + 8 <= columns; j += 8)
            {
                Vector256.Store(Vector256.Load(target + j) + Vector256.Load(row + j), target + j);
            }

            for (; j < columns; j++)
            {
                target[j] += row[j];
            }
        }
    }

    /// <summary>result[j] = Σ_r matrix[r, j] for columns [j0, j1), summed in row order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRows(float* matrix, int rows, int columns, float* result, int j0, int j1)
    {
        var j = j0;
        for (; j + 8 <= j1; j += 8)
        {
            var acc = Vector256<float>.Zero;
            var element = matrix + j;
            for (var r = 0; r < rows; r++)
            {
                acc += Vector256.Load(element);
                element += columns;
            }

            Vector256.Store(acc, result + j);
        }

        for (; j < j1; j++)
        {
            var acc = 0f;
            for (var r = 0; r < rows; r++)
            {
                acc += matrix[(long)r * columns + j];
            }

            result[j] = acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActivationForward(Activation activation, float* z, float* y, int start, int end)
    {
        switch (activation)
        {
            case Activation.Linear:
                if (z != y)
                {
                    new ReadOnlySpan<float>(z + start, end - start).CopyTo(new Span<float>(y + start, end - start));
                }

                return;
            case Activation.Relu:
                var i = start;
                for (; i + 8 <= end; i += 8)
                {
                    Vector256.Store(Vector256.Max(Vector256.Load(z + i), Vector256<float>.Zero), y + i);
                }

                for (; i < end; i++)
                {
                    y[i] = z[i] > 0 ? z[i] : 0;
                }

                return;
        }

        Span<float> t = stackalloc float[Chunk];
        for (var c0 = start; c0 < end; c0 += Chunk)
        {
            var count = Math.Min(Chunk, end - c0);
            var zs = new ReadOnlySpan<float>(z + c0, count);
            var ys = new Span<float>(y + c0, count);
            var ts = t[..count];
            switch (activation)
            {
                case Activation.Tanh:
                    Tanh(zs, ys);
                    break;
                case Activation.Sigmoid:
                    TensorPrimitives.Sigmoid(zs, ys);
                    break;
                case Activation.Softplus:
                    for (var e = 0; e < count; e++)
                    {
                        ys[e] = Softplus(zs[e]);
                    }

                    break;
                case Activation.XTanh:
                    Tanh(zs, ts);
                    TensorPrimitives.Multiply(zs, ts, ys);
                    break;
                case Activation.X2Tanh:
                    Tanh(zs, ts);
                    for (var e = 0; e < count; e++)
                    {
                        ys[e] = zs[e] * zs[e] * ts[e];
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
            }
        }
    }

    /// <summary>dz = dy·σ'(z); dz may be dy. ReLU'(0) = 0, as in PyTorch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActivationBackward(Activation activation, float* z, float* dy, float* dz, int start, int end)
    {
        switch (activation)
        {
            case Activation.Linear:
                if (dy != dz)
                {
                    new ReadOnlySpan<float>(dy + start, end - start).CopyTo(new Span<float>(dz + start, end - start));
                }

                return;
            case Activation.Relu:
                var i = start;
                for (; i + 8 <= end; i += 8)
                {
                    var mask = Vector256.GreaterThan(Vector256.Load(z + i), Vector256<float>.Zero);
                    Vector256.Store(Vector256.BitwiseAnd(mask, Vector256.Load(dy + i)), dz + i);
                }

                for (; i < end; i++)
                {
                    dz[i] = z[i] > 0 ? dy[i] : 0;
                }

                return;
        }

        Span<float> t = stackalloc float[Chunk];
        for (var c0 = start; c0 < end; c0 += Chunk)
        {
            var count = Math.Min(Chunk, end - c0);
            var zs = new ReadOnlySpan<float>(z + c0, count);
            var ts = t[..count];
            if (activation == Activation.Sigmoid || activation == Activation.Softplus)
            {
                TensorPrimitives.Sigmoid(zs, ts);
            }
            else
            {
                Tanh(zs, ts);
            }

            for (var e = 0; e < count; e++)
            {
                var x = zs[e];
                var s = ts[e];
                var derivative = activation switch
                {
                    Activation.Tanh => 1 - s * s,
                    Activation.Sigmoid => s * (1 - s),
                    Activation.Softplus => s,
                    Activation.XTanh => s + x * (1 - s * s),
                    Activation.X2Tanh => 2 * x * s + x * x * (1 - s * s),
                    _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
                };
                dz[c0 + e] = dy[c0 + e] * derivative;
            }
        }
    }

    /// <summary>Softplus in float64, rounded once (see Fn.Softplus for the stable form).</summary>
    public static float Softplus(float z) => (float)Fn.Softplus(z);

    private static void Tanh(ReadOnlySpan<float> z, Span<float> y) => VectorTanh.Apply(z, y);

    /// <summary>y[i] = x[i]·mask[i] for i in [start, end); y may be x. Each element is one rounded product, so any split gives the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(float* x, float* mask, float* y, int start, int end)
    {
        var i = start;
        for (; i + 8 <= end; i += 8)
        {
            Vector256.Store(Vector256.Load(x + i) * Vector256.Load(mask + i), y + i);
        }

        for (; i < end; i++)
        {
            y[i] = x[i] * mask[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientDescent(float* parameter, float* gradient, float learningRate, int start, int end)
    {
        var lr = Vector256.Create(-learningRate);
        var i = start;
        for (; i + 8 <= end; i += 8)
        {
            Vector256.Store(Vector256.FusedMultiplyAdd(lr, Vector256.Load(gradient + i), Vector256.Load(parameter + i)), parameter + i);
        }

        for (; i < end; i++)
        {
            parameter[i] = MathF.FusedMultiplyAdd(-learningRate, gradient[i], parameter[i]);
        }
    }

    /// <summary>
    /// PyTorch's Adam (torch.optim.Adam, no weight decay, not amsgrad): m ← m + (1−β₁)(g − m) (its lerp),
    /// v ← β₂v + (1−β₂)g², p ← p − (lr / (1−β₁ᵗ))·m / (√v / √(1−β₂ᵗ) + ε).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Adam(float* p, float* g, float* m, float* v, in AdamScalars s, int start, int end)
    {
        var oneMinusBeta1 = Vector256.Create(s.OneMinusBeta1);
        var beta2 = Vector256.Create(s.Beta2);
        var oneMinusBeta2 = Vector256.Create(s.OneMinusBeta2);
        var inverseBias2 = Vector256.Create(s.InverseSqrtBias2);
        var epsilon = Vector256.Create(s.Epsilon);
        var stepSize = Vector256.Create(s.StepSize);
        var i = start;
        for (; i + 8 <= end; i += 8)
        {
            var gi = Vector256.Load(g + i);
            var mi = Vector256.Load(m + i);
            mi = Vector256.FusedMultiplyAdd(oneMinusBeta1, gi - mi, mi);
            var vi = Vector256.FusedMultiplyAdd(oneMinusBeta2, gi * gi, beta2 * Vector256.Load(v + i));
            var denominator = Vector256.FusedMultiplyAdd(Vector256.Sqrt(vi), inverseBias2, epsilon);
            Vector256.Store(mi, m + i);
            Vector256.Store(vi, v + i);
            Vector256.Store(Vector256.Load(p + i) - stepSize * (mi / denominator), p + i);
        }

        for (; i < end; i++)
        {
            var gi = g[i];
            var mi = MathF.FusedMultiplyAdd(s.OneMinusBeta1, gi - m[i], m[i]);
            var vi = MathF.FusedMultiplyAdd(s.OneMinusBeta2, gi * gi, s.Beta2 * v[i]);
            var denominator = MathF.FusedMultiplyAdd(MathF.Sqrt(vi), s.InverseSqrtBias2, s.Epsilon);
            m[i] = mi;
            v[i] = vi;
            p[i] -= s.StepSize * (mi / denominator);
        }
    }
}

/// <summary>Adam's per-step scalars, computed once per update in float64 and rounded to float32.</summary>
internal readonly record struct AdamScalars(float OneMinusBeta1, float Beta2, float OneMinusBeta2, float InverseSqrtBias2, float Epsilon, float StepSize)
{
    public static AdamScalars From(AdamStepParameters h)
    {
        var bias1 = 1.0 - Math.Pow(h.Beta1, h.Step);
        var bias2 = 1.0 - Math.Pow(h.Beta2, h.Step);
        return new AdamScalars(1f - h.Beta1, h.Beta2, 1f - h.Beta2, (float)(1.0 / Math.Sqrt(bias2)), h.Epsilon, (float)(h.LearningRate / bias1));
    }
}
