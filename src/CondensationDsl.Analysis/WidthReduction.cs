namespace CondensationDsl.Analysis;

/// <summary>
/// A dense layer after width reduction (SCIENCE.md §3 row 7.3), with the next layer's weights it feeds.
/// <see cref="Weights"/> is WidthAfter×inputs, <see cref="Bias"/> has WidthAfter entries (empty when the layer has no bias),
/// <see cref="NextWeights"/> is outputs×WidthAfter; all row-major. Kept neuron r is original neuron <see cref="Kept"/>[r]
/// (kept neurons stay in their original order). <see cref="Groups"/>[k] is the original index of the neuron that original
/// neuron k was merged into (k itself for a kept neuron), or −1 when k was dropped (static or negligible).
/// </summary>
public sealed record ReducedLayer(
    double[] Weights,
    double[] Bias,
    double[] NextWeights,
    int[] Kept,
    int[] Groups,
    int WidthBefore,
    int WidthAfter,
    int StaticCount,
    int NegligibleCount);

/// <summary>Width reduction: merges a layer's condensed neurons into one neuron per direction (SCIENCE.md §3 row 7.3).</summary>
public static class WidthReduction
{
    /// <summary>
    /// Groups the neurons exactly as the "clusters" measure does with signed = true (<see cref="Clustering.Leader"/> on the
    /// directions u_k = (w_k, b_k) and full amplitudes |a_k|·‖u_k‖, a_k's norm over outputs when there are several), keeps
    /// each group's leader j and gives it the outgoing weights a_j ← Σ_{k∈group} a_k‖u_k‖/‖u_j‖ (per output); input
    /// weights and bias of the leader are kept as they are. Static and negligible neurons are dropped.
    /// </summary>
    /// <remarks>
    /// Why the merge is exact for ReLU: σ(c·z) = c·σ(z) for c ≥ 0, so a neuron with u_k = (‖u_k‖/‖u_j‖)·u_j computes
    /// (‖u_k‖/‖u_j‖)·σ(u_j·(x, 1)); for other activations, and for directions that only nearly agree, it is an approximation
    /// the fine-tuning repairs. Opposite directions are never merged (signed clustering): σ(−z) is not a multiple of σ(z).
    /// Static neurons (the caller passes them; a ReLU neuron with pre-activation ≤ 0 on every training input) are dropped,
    /// as the clusters measure leaves them out: they output exactly 0 on the data, so removing them changes no prediction
    /// there, and they get no gradient, so fine-tuning could not revive them either. Negligible neurons (amplitude below
    /// <paramref name="negligibleFraction"/>·max amplitude over non-static neurons) are dropped: their contribution is the
    /// error accepted by choosing ε. The bias of the next layer is not touched and is not an argument.
    /// </remarks>
    /// <param name="weights">W, neurons×inputs row-major.</param>
    /// <param name="bias">b, one per neuron; empty when the layer has no bias.</param>
    /// <param name="nextWeights">A, the next layer's weights, outputs×neurons row-major.</param>
    /// <param name="isStatic">Which neurons are static (all false for activations without static neurons).</param>
    /// <param name="threshold">τ ∈ (0, 1]: a neuron joins a group when its cosine with the group's leader is ≥ τ.</param>
    /// <param name="negligibleFraction">ε ≥ 0.</param>
    public static ReducedLayer Reduce(
        ReadOnlySpan<double> weights,
        int neurons,
        int inputs,
        ReadOnlySpan<double> bias,
        ReadOnlySpan<double> nextWeights,
        int outputs,
        bool[] isStatic,
        double threshold,
        double negligibleFraction)
    {
        ArgumentNullException.ThrowIfNull(isStatic);
        Guard.NotNegative(neurons, nameof(neurons));
        Guard.NotNegative(inputs, nameof(inputs));
        Guard.NotNegative(outputs, nameof(outputs));
        Guard.Length(nextWeights.Length, outputs * neurons, nameof(nextWeights));

        // τ ≤ 0 would let anything join a leader whose direction is the zero vector (cosine 0), and dividing by its zero
        // norm has no meaning; a positive τ keeps a zero-direction neuron alone in its group.
        if (double.IsNaN(threshold) || threshold <= 0 || threshold > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The merge threshold must lie in (0, 1].");
        }

        var directions = Directions.WithBias(weights, neurons, inputs, bias);
        var dimension = inputs + (bias.IsEmpty ? 0 : 1);
        var outgoing = Features.OutgoingNorms(nextWeights, outputs, neurons);
        var amplitudes = Features.Amplitudes(directions, neurons, dimension, outgoing, AmplitudeConvention.Full);
        var clusters = Clustering.Leader(directions, neurons, dimension, amplitudes, isStatic, threshold, signed: true, negligibleFraction);

        var norms = new double[neurons];
        for (var k = 0; k < neurons; k++)
        {
            norms[k] = Vectors.Norm(directions.AsSpan(k * dimension, dimension));
        }

        var groups = new int[neurons];
        for (var k = 0; k < neurons; k++)
        {
            groups[k] = clusters.Assignment[k] < 0 ? -1 : clusters.Leaders[clusters.Assignment[k]];
        }

        // Leaders in their original order, so the reduced layer reads like the original with rows removed.
        var kept = clusters.Leaders.Order().ToArray();
        var row = new int[neurons];
        for (var r = 0; r < kept.Length; r++)
        {
            row[kept[r]] = r;
        }

        var width = kept.Length;
        var reducedWeights = new double[width * inputs];
        var reducedBias = bias.IsEmpty ? [] : new double[width];
        for (var r = 0; r < width; r++)
        {
            weights.Slice(kept[r] * inputs, inputs).CopyTo(reducedWeights.AsSpan(r * inputs, inputs));
            if (!bias.IsEmpty)
            {
                reducedBias[r] = bias[kept[r]];
            }
        }

        var reducedNext = new double[outputs * width];
        for (var k = 0; k < neurons; k++)
        {
            var leader = groups[k];
            if (leader < 0)
            {
                continue;
            }

            // The leader's own weight is added unscaled rather than as a_j·‖u_j‖/‖u_j‖: identical in exact arithmetic, and
            // it keeps a leader with a zero direction (alone in its group, see the threshold check) from dividing 0 by 0.
            var scale = k == leader ? 1.0 : norms[k] / norms[leader];
            for (var o = 0; o < outputs; o++)
            {
                reducedNext[(o * width) + row[leader]] += nextWeights[(o * neurons) + k] * scale;
            }
        }

        return new ReducedLayer(reducedWeights, reducedBias, reducedNext, kept, groups, neurons, width, clusters.StaticCount, clusters.NegligibleCount);
    }
}
