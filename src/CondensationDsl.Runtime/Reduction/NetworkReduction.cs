using CondensationDsl.Analysis;
using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Observation;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Reduction;

/// <summary>
/// A network after width reduction, on the host: its spec (the reduced layer narrower, nothing else changed) and every
/// parameter by name ("&lt;layer&gt;.weight", "&lt;layer&gt;.bias"), ready for <see cref="FeedForwardModel.FromParameters"/>.
/// </summary>
public sealed record ReducedNetwork(ModelSpec Spec, IReadOnlyDictionary<string, double[]> Parameters, string Layer, string NextLayer, ReducedLayer Reduction);

/// <summary>Reduces one dense layer of a trained model (SCIENCE.md §3 row 7.3) with <see cref="WidthReduction.Reduce"/>.</summary>
public static class NetworkReduction
{
    /// <summary>
    /// The index of the layer the merged neurons' outgoing weights go to: the one right after <paramref name="layer"/>.
    /// Throws when the layer is missing or is the model's last layer (nothing downstream could absorb a merge).
    /// </summary>
    public static int NextLayerIndex(ModelSpec model, string layer)
    {
        ArgumentNullException.ThrowIfNull(model);
        var index = -1;
        for (var l = 0; l < model.Layers.Count; l++)
        {
            if (model.Layers[l].Name == layer)
            {
                index = l;
                break;
            }
        }

        if (index < 0)
        {
            throw new ArgumentException(
                $"reduce {layer}: '{layer}' is not a layer of model '{model.Name}' (layers: {string.Join(", ", model.Layers.Select(l => l.Name))}).");
        }

        if (index + 1 == model.Layers.Count || model.Layers[index + 1].Kind != LayerKind.Dense)
        {
            var after = index + 1 == model.Layers.Count ? "is the last layer" : $"is followed by a {model.Layers[index + 1].Kind} layer";
            throw new ArgumentException(
                $"reduce {layer}: a reduced layer must be followed by a dense layer, whose weights take over the merged neurons' outputs; '{layer}' {after} of model '{model.Name}'.");
        }

        return index + 1;
    }

    /// <summary>
    /// Merges <paramref name="layer"/>'s condensed neurons and drops its static and negligible ones, from the model's current
    /// parameters. Static neurons are found on <paramref name="data"/> (ReLU layers only, as the clusters measure does).
    /// Throws when no neuron would remain.
    /// </summary>
    public static ReducedNetwork Reduce(FeedForwardModel model, Dataset data, string layer, double threshold, double negligibleFraction)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        // Two numberings: the spec counts every layer, the model's Layers the dense ones only (dropout has no weights).
        // NextLayerIndex guarantees a dense layer right after this one in the spec, so it is also the next dense layer.
        var specIndex = NextLayerIndex(model.Spec, layer) - 1;
        var denseIndex = model.Layers.Select((l, i) => (l, i)).First(pair => pair.l.Name == layer).i;
        var dense = model.Layers[denseIndex];
        var next = model.Layers[denseIndex + 1];

        // The snapshot the observations use: one definition of the static flags for the clusters measure and for reduction.
        var snapshot = LayerSnapshot.Take(model, denseIndex, data);
        var nextWeights = model.ReadParameter(next.Name + ".weight");
        var reduced = WidthReduction.Reduce(
            snapshot.Weights, dense.Outputs, dense.Inputs, dense.Bias is null ? [] : snapshot.Biases, nextWeights, next.Outputs, snapshot.Static,
            threshold, negligibleFraction);
        if (reduced.WidthAfter == 0)
        {
            throw new InvalidOperationException(
                $"reduce {layer}: no neuron would remain ({reduced.StaticCount} of {reduced.WidthBefore} are static, never active on the data, and {reduced.NegligibleCount} negligible).");
        }

        var parameters = model.Parameters.ToDictionary(p => p.Name, p => model.ReadParameter(p.Name), StringComparer.Ordinal);
        parameters[layer + ".weight"] = reduced.Weights;
        if (dense.Bias is not null)
        {
            parameters[layer + ".bias"] = reduced.Bias;
        }

        parameters[next.Name + ".weight"] = reduced.NextWeights;
        var layers = model.Spec.Layers.ToArray();
        layers[specIndex] = layers[specIndex] with { Width = reduced.WidthAfter };
        var spec = model.Spec with { Layers = layers };
        return new ReducedNetwork(spec, parameters, layer, next.Name, reduced);
    }
}
