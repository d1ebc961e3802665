using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Observation;

/// <summary>The loss and the number of correctly classified samples of one data set at one set of parameters.</summary>
public readonly record struct Evaluation(double Loss, long Correct, int Count)
{
    /// <summary>Correct / Count (0 for a loss that does not classify, mse).</summary>
    public double Accuracy => (double)Correct / Count;
}

/// <summary>
/// What observations need from the training run beyond the parameters: the run's data sets and passes of the model over
/// them on the device (losses and accuracies of whole data sets, layer outputs in chunks).
/// </summary>
public interface IRunEvaluator
{
    /// <summary>Whether the loss classifies (cross-entropy), so accuracy is defined.</summary>
    bool Classifies { get; }

    /// <summary>The data set of <paramref name="spec"/> as this run sees it (the training set for the training data).</summary>
    Dataset Materialize(DataSpec spec);

    /// <summary>The loss and accuracy of <paramref name="data"/> at the current parameters.</summary>
    Evaluation Evaluate(Dataset data);

    /// <summary>
    /// The outputs of layer <paramref name="layer"/> on the first <paramref name="rows"/> samples of <paramref name="data"/>,
    /// chunk by chunk: <c>consume(values, rowsInChunk)</c> with values row-major, one row per sample.
    /// </summary>
    void ForEachLayerOutput(Dataset data, int rows, string layer, Action<float[], int> consume);
}
