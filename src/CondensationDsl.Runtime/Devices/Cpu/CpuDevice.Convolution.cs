namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// 2-D convolution (see <see cref="IConvolutionDevice"/>) as im2col + the device's blocked GEMM kernel, per image
/// (<see cref="ConvolutionJob"/>). The column buffers are kept between calls and only grow, so a training step
/// allocates nothing once the first one has run. Images are split over threads for the forward pass and for dX;
/// dW and db are split over blocks of weights, each summing the images in order, so results do not depend on the
/// thread count.
/// </summary>
public sealed unsafe partial class CpuDevice : IConvolutionDevice
{
    private readonly ConvolutionJob convolution = new();
    private float[] convolutionColumns = [];

    public void Conv2dForward(ConvShape shape, DeviceBuffer input, DeviceBuffer weight, DeviceBuffer? bias, DeviceBuffer output)
    {
        shape.Validate();
        var x = Own(input);
        var w = Own(weight);
        var b = bias is null ? null : Own(bias);
        var y = Own(output);
        Require(x, shape.InputLength, nameof(input));
        Require(w, shape.WeightLength, nameof(weight));
        Require(y, shape.OutputLength, nameof(output));
        if (b is not null)
        {
            Require(b, shape.BiasLength, nameof(bias));
        }

        var columnLength = shape.PatchLength * shape.OutPositions;
        convolution.Reserve(pool.ThreadCount, columnLength);
        convolution.SetForward(shape, x.Pointer, w.Pointer, b is null ? null : b.Pointer, y.Pointer);
        pool.Run(convolution, PartsFor((long)shape.OutputLength * (shape.PatchLength + 1), convolution.Units));
    }

    public void Conv2dBackward(ConvShape shape, DeviceBuffer input, DeviceBuffer weight, DeviceBuffer outputGradient, DeviceBuffer weightGradient, DeviceBuffer? biasGradient, DeviceBuffer? inputGradient)
    {
        shape.Validate();
        var x = Own(input);
        var w = Own(weight);
        var dy = Own(outputGradient);
        var dw = Own(weightGradient);
        var db = biasGradient is null ? null : Own(biasGradient);
        var dx = inputGradient is null ? null : Own(inputGradient);
        Require(x, shape.InputLength, nameof(input));
        Require(w, shape.WeightLength, nameof(weight));
        Require(dy, shape.OutputLength, nameof(outputGradient));
        Require(dw, shape.WeightLength, nameof(weightGradient));
        if (db is not null)
        {
            Require(db, shape.BiasLength, nameof(biasGradient));
        }

        if (dx is not null)
        {
            Require(dx, shape.InputLength, nameof(inputGradient));
        }

        // Images are taken in chunks whose columns fit the budget (one chunk for small layers); dW accumulates the
        // chunks in image order, so the chunk size does not change the result.
        var columnLength = shape.PatchLength * shape.OutPositions;
        var chunk = (int)Math.Clamp(ConvolutionJob.ColumnBudget / columnLength, 1, shape.Batch);
        var needed = (long)chunk * columnLength;
        if (convolutionColumns.Length < needed)
        {
            convolutionColumns = GC.AllocateArray<float>((int)needed, pinned: true);
        }

        convolution.Reserve(pool.ThreadCount, dx is null ? 0 : columnLength);
        dw.Span[..shape.WeightLength].Clear();
        if (db is not null)
        {
            db.Span[..shape.BiasLength].Clear();
        }

        var dotWork = (long)shape.WeightLength * shape.OutPositions;
        fixed (float* columns = convolutionColumns)
        {
            for (var first = 0; first < shape.Batch; first += chunk)
            {
                var count = Math.Min(chunk, shape.Batch - first);
                convolution.SetColumns(shape, x.Pointer, w.Pointer, dy.Pointer, dx is null ? null : dx.Pointer, columns, first, count);
                var columnWork = (long)count * columnLength * (dx is null ? 1 : shape.Filters + 2);
                pool.Run(convolution, PartsFor(columnWork, convolution.Units));

                convolution.SetWeightGradient(shape, dy.Pointer, columns, dw.Pointer, db is null ? null : db.Pointer, first, count);
                pool.Run(convolution, PartsFor(dotWork * count, convolution.Units));
            }
        }
    }
}
