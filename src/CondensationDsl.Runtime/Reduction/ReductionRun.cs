using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Reduction;

/// <summary>
/// Width reduction after training (SCIENCE.md §3 row 7.3): reduce, measure, record, then optionally fine-tune, measure and
/// record again. Everything runs on the run's device.
/// </summary>
internal static class ReductionRun
{
    /// <summary>Array of the fine-tuning loss curve: rows (counted step, loss).</summary>
    public const string FineTuneLossArray = "reduction.finetune_loss";

    /// <summary>Refuses, before any training, a reduction that could not be carried out at the end.</summary>
    public static void Validate(ModelSpec model, ReductionSpec reduction)
    {
        NetworkReduction.NextLayerIndex(model, reduction.Layer);
        if (double.IsNaN(reduction.Threshold) || reduction.Threshold <= 0 || reduction.Threshold > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction.Threshold, $"reduce {reduction.Layer}: the threshold must lie in (0, 1].");
        }

        if (double.IsNaN(reduction.NegligibleFraction) || reduction.NegligibleFraction < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction.NegligibleFraction, $"reduce {reduction.Layer}: the negligible fraction must be ≥ 0.");
        }

        if (double.IsNaN(reduction.AgreementTolerance) || reduction.AgreementTolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction.AgreementTolerance, $"reduce {reduction.Layer}: the agreement tolerance must be ≥ 0.");
        }
    }

    /// <summary>
    /// Reduces <paramref name="trained"/> and records the result through the sink: arrays reduced.&lt;parameter&gt; and a
    /// <see cref="IRunSink.RecordReduction"/> call; with fine-tuning, then the curve <see cref="FineTuneLossArray"/>, arrays
    /// finetuned.&lt;parameter&gt; and a second, complete RecordReduction. Recording before fine-tuning means a fine-tuning
    /// that diverges or is interrupted still leaves the reduction itself on disk.
    /// </summary>
    public static ReductionResult Execute(RunContext context, FeedForwardModel trained, Dataset dataset, DataSpec data, ReductionSpec spec)
    {
        var device = context.Device;
        var sink = context.Sink;
        var original = Evaluation.Of(device, trained, dataset);
        var network = NetworkReduction.Reduce(trained, dataset, spec.Layer, spec.Threshold, spec.NegligibleFraction);
        Evaluation reduced;
        using (var model = FeedForwardModel.FromParameters(device, network.Spec, network.Parameters, dataset.Count))
        {
            reduced = Evaluation.Of(device, model, dataset);
        }

        WriteParameters(sink, "reduced", network.Spec, network.Parameters);
        var layer = network.Reduction;
        var result = new ReductionResult(
            spec.Layer, network.NextLayer, spec.Threshold, spec.NegligibleFraction, spec.AgreementTolerance,
            layer.WidthBefore, layer.WidthAfter, layer.StaticCount, layer.NegligibleCount, dataset.Count, Agreement.Scale(original.Predictions),
            original.Loss, reduced.Loss, Agreement.Fraction(original.Predictions, reduced.Predictions, trained.OutputSize, spec.AgreementTolerance),
            layer.Groups);
        sink.RecordReduction(result);
        if (spec.FineTune is not { } fineTune)
        {
            return result;
        }

        var tuned = FineTuning.Run(context, network, data, fineTune);
        sink.WriteArray(FineTuneLossArray, [tuned.Curve.Rows.Count, 2], tuned.Curve.ToArray());
        WriteParameters(sink, "finetuned", network.Spec, tuned.Parameters);
        result = result with
        {
            FineTuneSteps = tuned.Steps,
            LossFinetuned = tuned.Evaluation.Loss,
            AgreementFinetuned = Agreement.Fraction(original.Predictions, tuned.Evaluation.Predictions, trained.OutputSize, spec.AgreementTolerance),
        };
        sink.RecordReduction(result);
        return result;
    }

    /// <summary>Arrays &lt;prefix&gt;.&lt;layer&gt;.weight (outputs×inputs) and &lt;prefix&gt;.&lt;layer&gt;.bias of every layer.</summary>
    private static void WriteParameters(IRunSink sink, string prefix, ModelSpec spec, IReadOnlyDictionary<string, double[]> parameters)
    {
        var inputs = spec.InputSize;
        foreach (var layer in spec.Layers)
        {
            if (layer.Kind != LayerKind.Dense)
            {
                continue; // dropout: no parameters, and its width is its input's
            }

            sink.WriteArray($"{prefix}.{layer.Name}.weight", [layer.Width, inputs], parameters[layer.Name + ".weight"]);
            if (layer.Bias)
            {
                sink.WriteArray($"{prefix}.{layer.Name}.bias", [layer.Width], parameters[layer.Name + ".bias"]);
            }

            inputs = layer.Width;
        }
    }
}
