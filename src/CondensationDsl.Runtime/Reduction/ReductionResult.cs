namespace CondensationDsl.Runtime.Reduction;

/// <summary>
/// What width reduction (SCIENCE.md §3 row 7.3) of one trained layer gave: widths, losses and prediction agreement right
/// after the reduction and, when the experiment fine-tunes, after fine-tuning. The run folder writes it as reduction.json.
/// </summary>
/// <param name="Layer">The reduced layer.</param>
/// <param name="NextLayer">The dense layer after it, whose weights absorbed the merged neurons.</param>
/// <param name="Threshold">τ: a neuron merged into its group's leader when their directions had cosine ≥ τ.</param>
/// <param name="NegligibleFraction">ε: neurons with amplitude below ε·max amplitude were dropped.</param>
/// <param name="AgreementTolerance">
/// t: a data point's predictions agree when max over outputs |f_reduced(x) − f(x)| ≤ t·max over the data and outputs |f(x)|,
/// f the trained network before reduction (see <see cref="Agreement.Fraction"/>).
/// </param>
/// <param name="WidthBefore">Neurons of the layer as trained.</param>
/// <param name="WidthAfter">Neurons after merging and dropping.</param>
/// <param name="StaticDropped">Static neurons (ReLU, never active on the data) that were dropped.</param>
/// <param name="NegligibleDropped">Negligible neurons that were dropped.</param>
/// <param name="Points">The number of data points the losses and agreements are taken over (the training data).</param>
/// <param name="OutputScale">max |f(x)| over the data: the scale the agreement tolerance is relative to.</param>
/// <param name="LossBefore">The training loss of the trained network, before reduction.</param>
/// <param name="LossReduced">The training loss right after reduction, before any further training.</param>
/// <param name="AgreementReduced">The fraction of data points where the reduced network agrees with the trained one.</param>
/// <param name="Groups">Per neuron of the trained layer: the index of the neuron it was merged into (itself for a kept one), −1 when dropped.</param>
/// <param name="FineTuneSteps">Counted steps of fine-tuning done (in the fine-tuning's unit); null when the experiment does not fine-tune, or has not yet.</param>
/// <param name="LossFinetuned">The training loss after fine-tuning; null without fine-tuning.</param>
/// <param name="AgreementFinetuned">Agreement of the fine-tuned network with the trained, unreduced one; null without fine-tuning.</param>
public sealed record ReductionResult(
    string Layer,
    string NextLayer,
    double Threshold,
    double NegligibleFraction,
    double AgreementTolerance,
    int WidthBefore,
    int WidthAfter,
    int StaticDropped,
    int NegligibleDropped,
    int Points,
    double OutputScale,
    double LossBefore,
    double LossReduced,
    double AgreementReduced,
    IReadOnlyList<int> Groups,
    long? FineTuneSteps = null,
    double? LossFinetuned = null,
    double? AgreementFinetuned = null);
