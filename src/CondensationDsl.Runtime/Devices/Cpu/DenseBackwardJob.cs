using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// The backward pass of a dense layer with few inputs (a 1-D or low-dimensional input layer, the shape of every
/// figure-1 style network) in one sweep down the columns: dZ = dA∘σ'(Z) is formed in registers and feeds dW = dZᵀ·X and
/// db = Σ_rows dZ at once, so the rows×outputs matrices are read once instead of three times. σ is linear or ReLU (the
/// derivative is a mask); dZ is stored only when the caller needs it for dX. Each dW and db element sums over rows in
/// row order, the order of the unfused Gemm and SumOverRows.
/// </summary>
internal sealed unsafe class DenseBackwardJob : IParallelWork
{
    /// <summary>Up to this many inputs the dW accumulators stay in registers.</summary>
    public const int MaxInputs = 4;

    private const int Group = 32;

    private bool relu;
    private float* x;
    private float* z;
    private float* da;
    private float* dz;
    private float* dw;
    private float* db;
    private int rows;
    private int inputs;
    private int outputs;

    public int Units { get; private set; }

    /// <param name="dz">Where to store dZ, or null when nothing needs it.</param>
    /// <param name="db">The bias gradient, or null for a layer without bias.</param>
    public void Set(bool relu, float* x, float* z, float* da, float* dz, float* dw, float* db, int rows, int inputs, int outputs)
    {
        this.relu = relu;
        this.x = x;
        this.z = z;
        this.da = da;
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
            // The accumulations over rows are dependency chains: four independent 8-column chains hide the FMA latency.
            for (; j + 32 <= end; j += 32)
            {
                Columns32SingleInput(j);
            }
        }

        for (; j + 8 <= end; j += 8)
        {
            Columns8(j);
        }

        for (; j < end; j++)
        {
            Column(j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Columns32SingleInput(int j)
    {
        Vector256<float> w0 = default, w1 = default, w2 = default, w3 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
        var offset = (long)j;
        var zero = Vector256<float>.Zero;
        for (var i = 0; i < rows; i++)
        {
            var g0 = Vector256.Load(da + offset);
            var g1 = Vector256.Load(da + offset + 8);
            var g2 = Vector256.Load(da + offset + 16);
            var g3 = Vector256.Load(da + offset + 24);
            if (relu)
            {
                g0 = Vector256.BitwiseAnd(Vector256.GreaterThan(Vector256.Load(z + offset), zero), g0);
                g1 = Vector256.BitwiseAnd(Vector256.GreaterThan(Vector256.Load(z + offset + 8), zero), g1);
                g2 = Vector256.BitwiseAnd(Vector256.GreaterThan(Vector256.Load(z + offset + 16), zero), g2);
                g3 = Vector256.BitwiseAnd(Vector256.GreaterThan(Vector256.Load(z + offset + 24), zero), g3);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Columns8(int j)
    {
        Vector256<float> w0 = default, w1 = default, w2 = default, w3 = default, bias = default;
        var offset = (long)j;
        var xi = x;
        for (var i = 0; i < rows; i++)
        {
            var gradient = Vector256.Load(da + offset);
            if (relu)
            {
                gradient = Vector256.BitwiseAnd(Vector256.GreaterThan(Vector256.Load(z + offset), Vector256<float>.Zero), gradient);
            }

            if (dz != null)
            {
                Vector256.Store(gradient, dz + offset);
            }

            bias += gradient;
            w0 = Vector256.FusedMultiplyAdd(gradient, Vector256.Create(xi[0]), w0);
            if (inputs > 1)
            {
                w1 = Vector256.FusedMultiplyAdd(gradient, Vector256.Create(xi[1]), w1);
                if (inputs > 2)
                {
                    w2 = Vector256.FusedMultiplyAdd(gradient, Vector256.Create(xi[2]), w2);
                    if (inputs > 3)
                    {
                        w3 = Vector256.FusedMultiplyAdd(gradient, Vector256.Create(xi[3]), w3);
                    }
                }
            }

            offset += outputs;
            xi += inputs;
        }

        if (db != null)
        {
            Vector256.Store(bias, db + j);
        }

        if (inputs == 1)
        {
            Vector256.Store(w0, dw + j);
            return;
        }

        // dW is outputs×inputs: lane l of accumulator p is dW[j + l, p].
        for (var lane = 0; lane < 8; lane++)
        {
            var row = dw + (long)(j + lane) * inputs;
            row[0] = w0.GetElement(lane);
            row[1] = w1.GetElement(lane);
            if (inputs > 2)
            {
                row[2] = w2.GetElement(lane);
            }

            if (inputs > 3)
            {
                row[3] = w3.GetElement(lane);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Column(int j)
    {
        Span<float> w = stackalloc float[MaxInputs];
        var bias = 0f;
        for (var i = 0; i < rows; i++)
        {
            var offset = (long)i * outputs + j;
            var gradient = relu && !(z[offset] > 0) ? 0f : da[offset];
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
