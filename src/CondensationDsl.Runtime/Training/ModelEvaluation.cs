using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Observation;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Training;

/// <summary>
/// Evaluation passes of the model over whole data sets, through the session's device buffers. The model holds activations
/// for <see cref="Capacity"/> rows: when that is every training sample (small data, full-batch training) the training data
/// stays on the device and one pass evaluates it; otherwise data sets go through in chunks of <see cref="Capacity"/>
/// rows, their losses summed with weights rows/n, so memory does not grow with the data. Results are cached per parameter
/// version (<see cref="ParametersChanged"/>): an observation asking for a data set's loss and its accuracy takes one pass.
/// </summary>
internal sealed class ModelEvaluation(
    IDevice device,
    FeedForwardModel model,
    ICrossEntropyDevice? crossEntropy,
    DataSpec trainingSpec,
    Dataset training,
    ulong seed,
    DeviceBuffer inputs,
    DeviceBuffer targets,
    DeviceBuffer outputGradient,
    int capacity) : IRunEvaluator
{
    private readonly Dictionary<Dataset, Evaluation> cache = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Dataset> others = new(StringComparer.Ordinal);
    private readonly HashSet<Dataset> validated = new(ReferenceEqualityComparer.Instance);

    public bool Classifies => crossEntropy is not null;

    /// <summary>The training set for the training data's spec; any other data set materialized once and checked against the model's input.</summary>
    public Dataset Materialize(DataSpec spec)
    {
        if (ReferenceEquals(spec, trainingSpec) || spec.Name == trainingSpec.Name)
        {
            return training;
        }

        if (!others.TryGetValue(spec.Name, out var data))
        {
            data = Dataset.Materialize(spec, seed);
            if (data.Dimension != training.Dimension)
            {
                throw new ArgumentException($"Data '{spec.Name}' has dimension {data.Dimension}, but the model takes the {training.Dimension} of the training data '{training.Name}'.");
            }

            others[spec.Name] = data;
        }

        return data;
    }


    /// <summary>Rows the model and the buffers hold.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Whether every training sample fits in one pass, so the training data can stay in the buffers.</summary>
    public bool TrainingDataResident => Capacity >= training.Count;

    /// <summary>
    /// Whether an evaluation pass ran since <see cref="ClearDisturbed"/>: the model's activations and the loss gradient then
    /// belong to that pass, not to the training pass a following backward pass would need.
    /// </summary>
    public bool Disturbed { get; private set; }

    private bool buffersHoldTrainingData;

    /// <summary>Forgets every cached result: the parameters were updated.</summary>
    public void ParametersChanged() => cache.Clear();

    public void ClearDisturbed() => Disturbed = false;

    /// <summary>Puts all training samples into the buffers if something else replaced them (resident data only).</summary>
    public void EnsureTrainingData()
    {
        if (!buffersHoldTrainingData)
        {
            device.Upload(training.Inputs, inputs);
            device.Upload(training.Targets, targets);
            buffersHoldTrainingData = true;
        }
    }

    /// <summary>Called after the buffers were filled with something else (a mini-batch).</summary>
    public void BuffersReplaced() => buffersHoldTrainingData = false;

    /// <summary>Records a result the training loop computed anyway from a full pass over the training data.</summary>
    public void Remember(Evaluation evaluation) => cache[training] = evaluation;

    /// <summary>The counted-correct part of an evaluation of <paramref name="output"/> against the first <paramref name="rows"/> targets (0 for mse).</summary>
    public long CountCorrect(DeviceBuffer output, int rows) =>
        crossEntropy?.CountCorrect(output, targets, rows, model.OutputSize) ?? 0;

    /// <summary>The loss (and accuracy) of <paramref name="data"/> at the current parameters.</summary>
    public Evaluation Evaluate(Dataset data)
    {
        if (cache.TryGetValue(data, out var known))
        {
            return known;
        }

        if (crossEntropy is not null && !ReferenceEquals(data, training) && validated.Add(data))
        {
            // Only a loss or an accuracy reads the labels: data used for layer outputs alone may have other classes.
            ClassLabels.Validate(data.Targets, model.OutputSize, data.Name);
        }

        var result = ReferenceEquals(data, training) && TrainingDataResident ? ResidentPass() : ChunkedPasses(data);
        cache[data] = result;
        return result;
    }

    /// <summary>The declared loss of <paramref name="output"/> against the first <paramref name="rows"/> targets; writes its gradient.</summary>
    public double LossAndGradient(DeviceBuffer output, int rows) =>
        crossEntropy is null
            ? device.MseLossAndGradient(output, targets, outputGradient, rows)
            : crossEntropy.SoftmaxCrossEntropy(output, targets, outputGradient, rows, model.OutputSize);

    /// <summary>
    /// Runs the first <paramref name="rows"/> samples of <paramref name="data"/> through the model in chunks and hands each
    /// chunk's outputs of layer <paramref name="layer"/> to <paramref name="consume"/> (values, rows in the chunk).
    /// </summary>
    public void ForEachLayerOutput(Dataset data, int rows, string layer, Action<float[], int> consume)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, data.Count);
        var width = model.OutputWidthOf(layer);
        var host = new float[(long)Math.Min(rows, Capacity) * width];
        for (var first = 0; first < rows; first += Capacity)
        {
            var count = Math.Min(Capacity, rows - first);
            Upload(data, first, count);
            model.Forward(inputs, count);
            model.DownloadOutputOf(layer, host.AsSpan(0, count * width));
            consume(host, count);
        }
    }

    private Evaluation ResidentPass()
    {
        EnsureTrainingData();
        Disturbed = true;
        var output = model.Forward(inputs, training.Count);
        return new Evaluation(LossAndGradient(output, training.Count), CountCorrect(output, training.Count), training.Count);
    }

    private Evaluation ChunkedPasses(Dataset data)
    {
        var (loss, correct) = (0.0, 0L);
        for (var first = 0; first < data.Count; first += Capacity)
        {
            var rows = Math.Min(Capacity, data.Count - first);
            Upload(data, first, rows);
            var output = model.Forward(inputs, rows);
            loss += LossAndGradient(output, rows) * rows;
            correct += CountCorrect(output, rows);
        }

        return new Evaluation(loss / data.Count, correct, data.Count);
    }

    private void Upload(Dataset data, int first, int rows)
    {
        var d = data.Dimension;
        device.Upload(data.Inputs.AsSpan(first * d, rows * d), inputs);
        device.Upload(data.Targets.AsSpan(first, rows), targets);
        buffersHoldTrainingData = false;
        Disturbed = true;
    }
}
