using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Model;

namespace CondensationDsl.Runtime.Observation;

/// <summary>
/// A float64 forward pass on the host over the first rows of the training data, from the device's current parameters.
/// Observations use it (static neurons, output similarity) so they never disturb the training buffers.
/// </summary>
internal static class HostForward
{
    /// <summary>
    /// Layer <paramref name="layerIndex"/>'s pre-activations on the first <paramref name="rows"/> inputs (rows×neurons).
    /// <paramref name="weights"/> and <paramref name="biases"/>, when given, are that layer's already downloaded parameters.
    /// </summary>
    public static double[] PreActivations(FeedForwardModel model, int layerIndex, Dataset data, int rows, double[]? weights = null, double[]? biases = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, data.Count);
        var input = data.InputsDouble;
        var width = data.Dimension;
        for (var l = 0; l <= layerIndex; l++)
        {
            var layer = model.Layers[l];
            var w = l == layerIndex && weights is not null ? weights : model.ReadDouble(layer.Weight, layer.Outputs * layer.Inputs);
            var b = l == layerIndex && biases is not null ? biases
                : layer.Bias is null ? new double[layer.Outputs] : model.ReadDouble(layer.Bias, layer.Outputs);
            var z = new double[rows * layer.Outputs];
            for (var i = 0; i < rows; i++)
            {
                for (var k = 0; k < layer.Outputs; k++)
                {
                    var sum = b[k];
                    for (var p = 0; p < width; p++)
                    {
                        sum += input[i * width + p] * w[k * width + p];
                    }

                    z[i * layer.Outputs + k] = sum;
                }
            }

            if (l == layerIndex)
            {
                return z;
            }

            Activate(layer.Activation, z);
            input = z;
            width = layer.Outputs;
        }

        throw new ArgumentOutOfRangeException(nameof(layerIndex), layerIndex, "No such layer.");
    }

    /// <summary>Layer <paramref name="layerIndex"/>'s outputs σ(z) (post-activation) on the first <paramref name="rows"/> inputs (rows×neurons).</summary>
    public static double[] Outputs(FeedForwardModel model, int layerIndex, Dataset data, int rows)
    {
        var values = PreActivations(model, layerIndex, data, rows);
        Activate(model.Layers[layerIndex].Activation, values);
        return values;
    }

    private static void Activate(Devices.Activation activation, double[] values)
    {
        for (var e = 0; e < values.Length; e++)
        {
            values[e] = HostActivation.Apply(activation, values[e]);
        }
    }
}
