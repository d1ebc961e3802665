using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The backward pass of a ReLU or linear layer with few inputs followed by a one-output dense layer (the hidden layer of
/// every two-layer network in the paper), in one column sweep over the layer's activations A:
/// the next layer's dW_next[j] = Σ_i dY[i]·A[i, j]; dA[i, j] = dY[i]·W_next[j] formed in registers, never stored;
/// dZ = dA∘σ'(Z), with the ReLU mask read from A (A &gt; 0 exactly where Z &gt; 0); dW = dZᵀ·X and db = Σ_rows dZ.
/// Each sum runs over rows in row order with the same operations as the unfused Gemm/SumOverRows sequence, so the
/// result is the same bits as that sequence.
/// </summary>
internal sealed unsafe class ScalarHeadBackwardJob : IParallelWork
{
    public const int MaxInputs = 4;

    private const int Group = 32;

    private bool relu;
    private float* x;
    private float* a;
    private float* nextWeight;
    private float* dy;
    private float* nextWeightGradient;
    private float* dz;
    private float* dw;
    private float* db;
    private int rows;
    private int inputs;
    private int outputs;

    public int Units { get; private set; }

    public void Set(bool relu, float* x, float* a, float* nextWeight, float* dy, float* nextWeightGradient, float* dz, float* dw, float* db, int rows, int inputs, int outputs)
    {
        this.relu = relu;
        this.x = x;
        this.a = a;
        this.nextWeight = nextWeight;
        this.dy = dy;
        this.nextWeightGradient = nextWeightGradient;
        this.dz = dz;
        this.dw = dw;
        this.db = db;
        this.rows = rows;
        this.inputs = inputs;
        this.outputs = outputs;
        Units = (outputs + Group - 1) / Group;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        var u0 = (int)((long)Units * part / parts);
        var u1 = (int)((long)Units * (part + 1) / parts);
        var end = Math.Min(outputs, u1 * Group);
        var j = u0 * Group;
        if (inputs == 1)
        {
            for (; j + Group <= end; j += Group)
            {
                Columns32SingleInput(j);
            }
        }

        for (; j < end; j++)
        {
            Column(j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Columns32SingleInput(int j)
    {
        var n0 = Vector256.Load(nextWeight + j);
        var n1 = Vector256.Load(nextWeight + j + 8);
        var n2 = Vector256.Load(nextWeight + j + 16);
        var n3 = Vector256.Load(nextWeight + j + 24);
        Vector256<float> h0 = default, h1 = default, h2 = default, h3 = default;
        Vector256<float> w0 = default, w1 = default, w2 = default, w3 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
        var zero = Vector256<float>.Zero;
        var offset = (long)j;
        for (var i = 0; i < rows; i++)
        {
            var a0 = Vector256.Load(a + offset);
            var a1 = Vector256.Load(a + offset + 8);
            var a2 = Vector256.Load(a + offset + 16);
            var a3 = Vector256.Load(a + offset + 24);
            var upstream = Vector256.Create(dy[i]);
            h0 = Vector256.FusedMultiplyAdd(upstream, a0, h0);
            h1 = Vector256.FusedMultiplyAdd(upstream, a1, h1);
            h2 = Vector256.FusedMultiplyAdd(upstream, a2, h2);
            h3 = Vector256.FusedMultiplyAdd(upstream, a3, h3);
            var g0 = upstream * n0;
            var g1 = upstream * n1;
            var g2 = upstream * n2;
            var g3 = upstream * n3;
            if (relu)
            {
                g0 = Vector256.BitwiseAnd(Vector256.GreaterThan(a0, zero), g0);
                g1 = Vector256.BitwiseAnd(Vector256.GreaterThan(a1, zero), g1);
                g2 = Vector256.BitwiseAnd(Vector256.GreaterThan(a2, zero), g2);
                g3 = Vector256.BitwiseAnd(Vector256.GreaterThan(a3, zero), g3);
            }

            if (dz != null)
            {
                Vector256.Store(g0, dz + offset);
                Vector256.Store(g1, dz + offset + 8);
                Vector256.Store(g2, dz + offset + 16);
                Vector256.Store(g3, dz + offset + 24);
            }

            var xi = Vector256.Create(x[i]);
            b0 += g0;
            b1 += g1;
            b2 += g2;
            b3 += g3;
            w0 = Vector256.FusedMultiplyAdd(g0, xi, w0);
            w1 = Vector256.FusedMultiplyAdd(g1, xi, w1);
            w2 = Vector256.FusedMultiplyAdd(g2, xi, w2);
            w3 = Vector256.FusedMultiplyAdd(g3, xi, w3);
            offset += outputs;
        }

        Vector256.Store(h0, nextWeightGradient + j);
        Vector256.Store(h1, nextWeightGradient + j + 8);
        Vector256.Store(h2, nextWeightGradient + j + 16);
        Vector256.Store(h3, nextWeightGradient + j + 24);
        if (db != null)
        {
            Vector256.Store(b0, db + j);
            Vector256.Store(b1, db + j + 8);
            Vector256.Store(b2, db + j + 16);
            Vector256.Store(b3, db + j + 24);
        }

        Vector256.Store(w0, dw + j);
        Vector256.Store(w1, dw + j + 8);
        Vector256.Store(w2, dw + j + 16);
        Vector256.Store(w3, dw + j + 24);
    }

    /// <summary>One column, scalar: the tails and layers with 2..4 inputs (off the hot path of 1-D problems).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Column(int j)
    {
        Span<float> w = stackalloc float[MaxInputs];
        var head = 0f;
        var bias = 0f;
        var next = nextWeight[j];
        for (var i = 0; i < rows; i++)
        {
            var offset = (long)i * outputs + j;
            var activation = a[offset];
            head = MathF.FusedMultiplyAdd(dy[i], activation, head);
            var gradient = relu && !(activation > 0) ? 0f : dy[i] * next;
            if (dz != null)
            {
                dz[offset] = gradient;
            }

            bias += gradient;
            for (var p = 0; p < inputs; p++)
            {
                w[p] = MathF.FusedMultiplyAdd(gradient, x[(long)i * inputs + p], w[p]);
            }
        }

        nextWeightGradient[j] = head;
        if (db != null)
        {
            db[j] = bias;
        }

        for (var p = 0; p < inputs; p++)
        {
            dw[(long)j * inputs + p] = w[p];
        }
    }
}
