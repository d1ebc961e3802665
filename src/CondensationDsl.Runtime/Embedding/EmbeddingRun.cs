using CondensationDsl.Analysis;
using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Embedding;

/// <summary>
/// The embedding check after training (SCIENCE.md §3 row 6.2): the trained two-layer net is read back in float64, one
/// neuron is split (<see cref="Analysis.Embedding.Split"/>), and the narrow and wide nets are compared on the training data:
/// function, loss, gradient norm and the signs of their Hessians' eigenvalues (<see cref="Hessian"/>, <see cref="SymmetricEigen"/>).
/// </summary>
internal static class EmbeddingRun
{
    /// <summary>
    /// The Hessians are dense P×P matrices diagonalised by Jacobi (O(P³)): above this many parameters of the wide net they
    /// are skipped (recorded with the reason) rather than taking minutes. 602 = a width-200 net on 1-D inputs.
    /// </summary>
    public const int MaxHessianParameters = 602;

    /// <summary>Refuses, before any training, a check that could not be carried out at the end.</summary>
    public static void Validate(ModelSpec model, EmbeddingSpec spec)
    {
        var dense = model.Layers.Where(layer => layer.Kind == LayerKind.Dense).ToArray();
        if (dense.Length != 2 || dense[0].Name != spec.Layer || dense[1].Width != 1 || dense[1].Bias || !dense[0].Bias || model.OutputScale != 1.0)
        {
            throw new ArgumentException(
                $"embed {spec.Layer}: the check needs a two-layer net input → {spec.Layer} (with biases) → one output without bias and without an output scale.");
        }

        if (spec.Neuron < 0 || spec.Neuron >= dense[0].Width)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Neuron + 1, $"embed {spec.Layer}: the neuron must be in 1..{dense[0].Width}.");
        }

        if (!double.IsFinite(spec.Split) || !(spec.ZeroTolerance > 0 && spec.ZeroTolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(spec), $"embed {spec.Layer}: the split must be finite and the tolerance in (0, 1).");
        }
    }

    public static EmbeddingResult Execute(FeedForwardModel trained, Dataset dataset, EmbeddingSpec spec)
    {
        var hidden = trained.Layer(spec.Layer) ?? throw new ArgumentException($"embed: model has no layer '{spec.Layer}'.", nameof(spec));
        var output = trained.Layers[^1];
        var narrow = new TwoLayerNet(
            hidden.Outputs,
            hidden.Inputs,
            trained.ReadParameter(hidden.Name + ".weight"),
            trained.ReadParameter(hidden.Name + ".bias"),
            trained.ReadParameter(output.Name + ".weight"),
            HostActivation.ToAnalysis(hidden.Activation));
        var wide = Analysis.Embedding.Split(narrow, spec.Neuron, spec.Split);
        ReadOnlySpan<double> x = dataset.InputsDouble;
        ReadOnlySpan<double> y = dataset.TargetsDouble;

        var gap = 0.0;
        for (var i = 0; i < dataset.Count; i++)
        {
            var point = x.Slice(i * narrow.Inputs, narrow.Inputs);
            gap = Math.Max(gap, Math.Abs(wide.Evaluate(point) - narrow.Evaluate(point)));
        }

        var tooLarge = wide.ParameterCount > MaxHessianParameters;
        HessianCounts? Counts(TwoLayerNet net, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets)
        {
            if (tooLarge)
            {
                return null;
            }

            var signs = Hessian.Signs(net, inputs, targets, spec.ZeroTolerance);
            return new HessianCounts(signs.Positive, signs.Zero, signs.Negative);
        }

        return new EmbeddingResult(
            spec.Layer,
            spec.Neuron,
            spec.Split,
            narrow.Width,
            wide.Width,
            Hessian.Loss(narrow, x, y),
            Hessian.Loss(wide, x, y),
            gap,
            Norm(Hessian.Gradient(narrow, x, y)),
            Norm(Hessian.Gradient(wide, x, y)),
            Counts(narrow, x, y),
            Counts(wide, x, y),
            spec.ZeroTolerance,
            tooLarge ? $"the wide net has {wide.ParameterCount} parameters; Hessians are computed up to {MaxHessianParameters}" : null);
    }

    private static double Norm(double[] vector) => Math.Sqrt(vector.Sum(v => v * v));
}
