using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Model;

namespace CondensationDsl.Runtime.Observation;

/// <summary>
/// One layer's neurons at one observation, on the host in float64: directions (input weights with the bias appended,
/// SCIENCE.md §2), output weights, full amplitudes and static flags. Built only when a measure needs it.
/// </summary>
internal sealed class LayerSnapshot
{
    private LayerSnapshot(int neurons, int inputs, double[] weights, double[] biases, double[] directions, int dimension, double[] outputWeights, bool[] isStatic)
    {
        Neurons = neurons;
        Inputs = inputs;
        Weights = weights;
        Biases = biases;
        Directions = directions;
        Dimension = dimension;
        OutputWeights = outputWeights;
        Static = isStatic;
        FullAmplitudes = Analysis.Features.Amplitudes(directions, neurons, dimension, outputWeights, Analysis.AmplitudeConvention.Full);
    }

    public int Neurons { get; }

    public int Inputs { get; }

    /// <summary>W, neurons×inputs.</summary>
    public double[] Weights { get; }

    /// <summary>b (zeros for a layer without bias).</summary>
    public double[] Biases { get; }

    /// <summary>(w_k, b_k) per neuron, neurons×Dimension; the bias column is absent when the layer has no bias.</summary>
    public double[] Directions { get; }

    public int Dimension { get; }

    /// <summary>
    /// a_k: the next layer's weight from neuron k when that layer has one output; the norm of the column k of its
    /// weights when it has several; 1 for the last layer (nothing downstream weighs it).
    /// </summary>
    public double[] OutputWeights { get; }

    /// <summary>|a_k|·‖(w_k, b_k)‖.</summary>
    public double[] FullAmplitudes { get; }

    public bool[] Static { get; }

    /// <param name="staticNeurons">
    /// The layer's static flags from a pass of the model on the device, for a layer the host float64 pass cannot reach (one
    /// after convolutions, pooling or batch normalization); null: the host pass computes them.
    /// </param>
    public static LayerSnapshot Take(FeedForwardModel model, int layerIndex, Dataset data, Func<bool[]>? staticNeurons = null)
    {
        var layers = model.Layers;
        var layer = layers[layerIndex];
        var m = layer.Outputs;
        var n = layer.Inputs;
        var weights = model.ReadDouble(layer.Weight, m * n);
        var biases = layer.Bias is null ? new double[m] : model.ReadDouble(layer.Bias, m);
        var dimension = n + (layer.Bias is null ? 0 : 1);
        var directions = Analysis.Directions.WithBias(weights, m, n, layer.Bias is null ? [] : biases);
        var outputWeights = OutputWeightsOf(model, layerIndex, m);

        var isStatic = layer.Activation != Activation.Relu ? new bool[m]
            : staticNeurons is not null ? staticNeurons()
            // A static neuron is one whose pre-activation is ≤ 0 on every training input.
            : Analysis.StaticNeurons.FromPreActivations(HostForward.PreActivations(model, layerIndex, data, data.Count, weights, biases), data.Count, m);
        return new LayerSnapshot(m, n, weights, biases, directions, dimension, outputWeights, isStatic);
    }

    /// <summary>(w_k, b_k) per neuron of dense layer <paramref name="layerIndex"/>, neurons×(inputs + 1) (no bias column without a bias).</summary>
    public static double[] DirectionsOf(FeedForwardModel model, int layerIndex)
    {
        var layer = model.Layers[layerIndex];
        var weights = model.ReadDouble(layer.Weight, layer.Outputs * layer.Inputs);
        return Analysis.Directions.WithBias(weights, layer.Outputs, layer.Inputs, layer.Bias is null ? [] : model.ReadDouble(layer.Bias, layer.Outputs));
    }

    /// <summary>
    /// a_k, signed, when the next layer has one output; the norm of neuron k's outgoing weights when it has several; 1 for
    /// the last layer.
    /// </summary>
    private static double[] OutputWeightsOf(FeedForwardModel model, int layerIndex, int neurons)
    {
        var layers = model.Layers;
        if (layerIndex + 1 == layers.Count)
        {
            var ones = new double[neurons];
            Array.Fill(ones, 1.0);
            return ones;
        }

        var next = layers[layerIndex + 1];
        var nextWeights = model.ReadDouble(next.Weight, next.Outputs * next.Inputs);
        return next.Outputs == 1 ? nextWeights : Analysis.Features.OutgoingNorms(nextWeights, next.Outputs, neurons);
    }
}
