using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// A float64 forward pass of a whole batch through a model of convolution, batch-normalization, residual-block, pooling
/// and dense layers, written from the formulas with direct loops (nothing shared with the runtime but the layer specs and
/// <see cref="ResidualBlock.InnerLayers"/>' names): the reference the ResNet tests hold both devices to. Batch
/// normalization couples the rows, so the pass takes all rows at once. In a training pass it records each batch
/// normalization's batch mean and biased variance, to check the running statistics.
/// </summary>
internal sealed class ResNetReference(ModelSpec spec, Func<string, double[]> parameter, bool training)
{
    private const double Epsilon = 1e-5;

    /// <summary>Per batch normalization (by name): the batch's mean and biased variance per channel (training passes).</summary>
    public Dictionary<string, (double[] Mean, double[] Variance, int Count)> BatchStatistics { get; } = [];

    /// <summary>The outputs, rows × classes, of the rows of <paramref name="x"/>.</summary>
    public double[][] Forward(float[] x, int rows)
    {
        var shape = spec.InputShape ?? new ImageShape(spec.InputSize, 1, 1);
        var batch = Enumerable.Range(0, rows).Select(r => x.Skip(r * shape.Length).Take(shape.Length).Select(v => (double)v).ToArray()).ToArray();
        foreach (var layer in spec.Layers)
        {
            (batch, shape) = layer.Kind switch
            {
                LayerKind.Conv => Conv(batch, shape, layer),
                LayerKind.BatchNorm => (Norm(batch, shape, layer), shape),
                LayerKind.Residual => Block(batch, shape, layer),
                LayerKind.AvgPool => (batch.Select(row => Enumerable.Range(0, shape.Channels)
                    .Select(c => row.Skip(c * shape.Height * shape.Width).Take(shape.Height * shape.Width).Average()).ToArray()).ToArray(),
                    new ImageShape(shape.Channels, 1, 1)),
                LayerKind.Dense => (Dense(batch, layer), new ImageShape(layer.Width, 1, 1)),
                _ => throw new NotSupportedException(layer.Kind.ToString()),
            };
        }

        return batch;
    }

    private (double[][], ImageShape) Block(double[][] x, ImageShape shape, LayerSpec spec)
    {
        var inner = ResidualBlock.InnerLayers(spec, shape);
        var (c1, s1) = Conv(x, shape, inner.Conv1);
        var b1 = Norm(c1, s1, inner.Norm1);
        var (c2, s2) = Conv(b1, s1, inner.Conv2);
        var main = Norm(c2, s2, inner.Norm2);
        var shortcut = x;
        if (inner.ShortcutConv is not null)
        {
            var (sc, ss) = Conv(x, shape, inner.ShortcutConv);
            shortcut = Norm(sc, ss, inner.ShortcutNorm!);
        }

        var output = main.Select((row, r) => row.Select((v, i) => HostActivation.Apply(spec.Activation, v + shortcut[r][i])).ToArray()).ToArray();
        return (output, s2);
    }

    private double[][] Dense(double[][] x, LayerSpec layer)
    {
        var w = parameter(layer.Name + ".weight");
        var b = layer.Bias ? parameter(layer.Name + ".bias") : null;
        return x.Select(row => Enumerable.Range(0, layer.Width).Select(o =>
            HostActivation.Apply(layer.Activation, (b?[o] ?? 0) + row.Select((v, i) => v * w[(o * row.Length) + i]).Sum())).ToArray()).ToArray();
    }

    private double[][] Norm(double[][] x, ImageShape shape, LayerSpec layer)
    {
        var (gamma, beta) = (parameter(layer.Name + ".weight"), parameter(layer.Name + ".bias"));
        var spatial = shape.Height * shape.Width;
        var mean = new double[shape.Channels];
        var variance = new double[shape.Channels];
        var count = x.Length * spatial;
        for (var c = 0; c < shape.Channels; c++)
        {
            var values = x.SelectMany(row => row.Skip(c * spatial).Take(spatial)).ToArray();
            mean[c] = values.Average();
            variance[c] = values.Select(v => (v - mean[c]) * (v - mean[c])).Average();
        }

        if (training)
        {
            BatchStatistics[layer.Name] = (mean, variance, count);
        }
        else
        {
            (mean, variance) = (parameter(layer.Name + ".running_mean"), parameter(layer.Name + ".running_var"));
        }

        return x.Select(row => row.Select((v, i) =>
        {
            var c = i / spatial;
            return HostActivation.Apply(layer.Activation, (gamma[c] * (v - mean[c]) / Math.Sqrt(variance[c] + Epsilon)) + beta[c]);
        }).ToArray()).ToArray();
    }

    private (double[][], ImageShape) Conv(double[][] x, ImageShape shape, LayerSpec layer)
    {
        var (kernel, stride, pad, filters) = (layer.Kernel, layer.Stride, layer.Padding, layer.Width);
        var weight = parameter(layer.Name + ".weight");
        var bias = layer.Bias ? parameter(layer.Name + ".bias") : new double[filters];
        var (channels, height, width) = (shape.Channels, shape.Height, shape.Width);
        var outHeight = ((height + (2 * pad) - kernel) / stride) + 1;
        var outWidth = ((width + (2 * pad) - kernel) / stride) + 1;
        var result = x.Select(input =>
        {
            var output = new double[filters * outHeight * outWidth];
            for (var k = 0; k < filters; k++)
            {
                for (var i = 0; i < outHeight; i++)
                {
                    for (var j = 0; j < outWidth; j++)
                    {
                        var z = bias[k];
                        for (var c = 0; c < channels; c++)
                        {
                            for (var u = 0; u < kernel; u++)
                            {
                                var row = (i * stride) + u - pad;
                                if (row < 0 || row >= height)
                                {
                                    continue;
                                }

                                for (var v = 0; v < kernel; v++)
                                {
                                    var column = (j * stride) + v - pad;
                                    if (column >= 0 && column < width)
                                    {
                                        z += weight[((((k * channels) + c) * kernel) + u) * kernel + v] * input[(((c * height) + row) * width) + column];
                                    }
                                }
                            }
                        }

                        output[(((k * outHeight) + i) * outWidth) + j] = HostActivation.Apply(layer.Activation, z);
                    }
                }
            }

            return output;
        }).ToArray();
        return (result, new ImageShape(filters, outHeight, outWidth));
    }
}
