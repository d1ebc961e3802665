namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// Dense-layer passes as single operations (see <see cref="IFusedDenseDevice"/>). The forward pass adds the bias and
/// applies ReLU while each tile of Z is still in registers; the backward pass of a layer with few inputs sweeps dA and Z
/// once for dW and db together. Other cases run the plain operations in sequence.
/// </summary>
public sealed unsafe partial class CpuDevice : IFusedDenseDevice
{
    private readonly DenseBackwardJob denseBackward = new();
    private readonly ScalarHeadBackwardJob scalarHeadBackward = new();

    public bool SupportsScalarHead(Activation activation, int inputs) =>
        activation is Activation.Relu or Activation.Linear && inputs >= 1 && inputs <= ScalarHeadBackwardJob.MaxInputs;

    public void DenseBackwardWithScalarHead(
        Activation activation,
        DeviceBuffer x,
        DeviceBuffer z,
        DeviceBuffer a,
        DeviceBuffer nextWeight,
        DeviceBuffer dy,
        DeviceBuffer nextWeightGradient,
        DeviceBuffer? dz,
        DeviceBuffer weightGradient,
        DeviceBuffer? biasGradient,
        int rows,
        int inputs,
        int outputs)
    {
        if (!SupportsScalarHead(activation, inputs))
        {
            throw new NotSupportedException($"The fused scalar-head backward pass takes ReLU or linear layers with 1..{ScalarHeadBackwardJob.MaxInputs} inputs.");
        }

        var input = Own(x);
        var activated = Own(a);
        var head = Own(nextWeight);
        var upstream = Own(dy);
        var headGradient = Own(nextWeightGradient);
        var gradient = dz is null ? null : Own(dz);
        var dw = Own(weightGradient);
        var db = biasGradient is null ? null : Own(biasGradient);
        Require(input, (long)rows * inputs, nameof(x));
        Require(Own(z), (long)rows * outputs, nameof(z));
        Require(activated, (long)rows * outputs, nameof(a));
        Require(head, outputs, nameof(nextWeight));
        Require(upstream, rows, nameof(dy));
        Require(headGradient, outputs, nameof(nextWeightGradient));
        Require(dw, (long)outputs * inputs, nameof(weightGradient));
        if (gradient is not null)
        {
            Require(gradient, (long)rows * outputs, nameof(dz));
        }

        if (db is not null)
        {
            Require(db, outputs, nameof(biasGradient));
        }

        scalarHeadBackward.Set(
            activation == Activation.Relu, input.Pointer, activated.Pointer, head.Pointer, upstream.Pointer, headGradient.Pointer,
            gradient is null ? null : gradient.Pointer, dw.Pointer, db is null ? null : db.Pointer, rows, inputs, outputs);
        pool.Run(scalarHeadBackward, PartsFor((long)rows * outputs * (inputs + 3), scalarHeadBackward.Units));
    }

    public void DenseForward(Activation activation, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, DeviceBuffer z, DeviceBuffer a, int rows, int inputs, int outputs)
    {
        var fusedEpilogue = outputs > 1 && activation is Activation.Relu or Activation.Linear;
        if (!fusedEpilogue)
        {
            Gemm(false, true, rows, outputs, inputs, 1f, x, weight, 0f, z);
            if (bias is not null)
            {
                AddRowBroadcast(z, bias, rows, outputs);
            }

            ActivationForward(activation, z, a, rows * outputs);
            return;
        }

        var input = Own(x);
        var w = Own(weight);
        var output = Own(z);
        var activated = Own(a);
        var b = bias is null ? null : Own(bias);
        Require(input, (long)rows * inputs, nameof(x));
        Require(w, (long)outputs * inputs, nameof(weight));
        Require(output, (long)rows * outputs, nameof(z));
        Require(activated, (long)rows * outputs, nameof(a));
        if (b is not null)
        {
            Require(b, outputs, nameof(bias));
        }

        var relu = activation == Activation.Relu && !ReferenceEquals(a, z) ? activated.Pointer : null;
        var work = (long)rows * outputs * (inputs + 2);
        if (UsesNarrowGemm(false, true, outputs, inputs))
        {
            narrowGemm.Set(input.Pointer, w.Pointer, output.Pointer, rows, outputs, inputs, 1f, 0f);
            narrowGemm.SetEpilogue(b is null ? null : b.Pointer, relu);
            pool.Run(narrowGemm, PartsFor(work, narrowGemm.Blocks));
        }
        else
        {
            var packedW = inputs > 1 ? Pack(w.Pointer, outputs, inputs) : w.Pointer;
            gemm.Set(input.Pointer, inputs, 1, packedW, output.Pointer, rows, outputs, inputs, 1f, 0f);
            gemm.SetEpilogue(b is null ? null : b.Pointer, relu);
            pool.Run(gemm, PartsFor(work, gemm.Tiles));
        }

        // The epilogue writes A only for ReLU into a separate buffer; the other two cases finish here.
        if (ReferenceEquals(a, z) ? activation == Activation.Relu : activation == Activation.Linear)
        {
            ActivationForward(activation, z, a, rows * outputs);
        }
    }

    public void DenseBackward(
        Activation activation,
        DeviceBuffer x,
        DeviceBuffer weight,
        DeviceBuffer z,
        DeviceBuffer da,
        DeviceBuffer dz,
        DeviceBuffer weightGradient,
        DeviceBuffer? biasGradient,
        DeviceBuffer? dx,
        int rows,
        int inputs,
        int outputs)
    {
        if (inputs > DenseBackwardJob.MaxInputs || activation is not (Activation.Relu or Activation.Linear))
        {
            ActivationBackward(activation, z, da, dz, rows * outputs);
            Gemm(true, false, outputs, inputs, rows, 1f, dz, x, 0f, weightGradient);
            if (biasGradient is not null)
            {
                SumOverRows(dz, rows, outputs, biasGradient);
            }

            if (dx is not null)
            {
                Gemm(false, false, rows, inputs, outputs, 1f, dz, weight, 0f, dx);
            }

            return;
        }

        var input = Own(x);
        var pre = Own(z);
        var upstream = Own(da);
        var gradient = Own(dz);
        var dw = Own(weightGradient);
        var db = biasGradient is null ? null : Own(biasGradient);
        Require(input, (long)rows * inputs, nameof(x));
        Require(pre, (long)rows * outputs, nameof(z));
        Require(upstream, (long)rows * outputs, nameof(da));
        Require(gradient, (long)rows * outputs, nameof(dz));
        Require(dw, (long)outputs * inputs, nameof(weightGradient));
        if (db is not null)
        {
            Require(db, outputs, nameof(biasGradient));
        }

        denseBackward.Set(
            activation == Activation.Relu, input.Pointer, pre.Pointer, upstream.Pointer, dx is null ? null : gradient.Pointer,
            dw.Pointer, db is null ? null : db.Pointer, rows, inputs, outputs);
        pool.Run(denseBackward, PartsFor((long)rows * outputs * (inputs + 2), denseBackward.Units));
        if (dx is not null)
        {
            Gemm(false, false, rows, inputs, outputs, 1f, dz, weight, 0f, dx);
        }
    }
}
