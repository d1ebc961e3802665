using CondensationDsl.Analysis;
using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Observation;

/// <summary>
/// Turns the declared observations into metrics rows and arrays. Steps here are counted in the training unit
/// (what `observe at [..]` names). Arrays of an observation are written before its row, so a row on disk means the
/// whole observation is there.
/// </summary>
public sealed class Observer
{
    private readonly IRunSink sink;
    private readonly FeedForwardModel model;
    private readonly Dataset data;
    private readonly IReadOnlyList<ObservationSpec> observations;
    private readonly IReadOnlyList<string> columns;
    private readonly IRunEvaluator? evaluator;

    // `observe when …` observations that have not fired yet, and those firing at the step being recorded.
    private readonly List<ObservationSpec> pendingTriggers;
    private readonly HashSet<ObservationSpec> firing = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, double[]> initialDirections = new(StringComparer.Ordinal);

    /// <summary>Checks every observed layer, remembers the initial weights RelDis compares against, and declares the columns.</summary>
    /// <param name="evaluator">
    /// Passes over data sets on the device (losses and accuracies, a convolution model's layer outputs); without it only
    /// measures of the parameters and host passes over <paramref name="data"/> are possible.
    /// </param>
    public Observer(IRunSink sink, FeedForwardModel model, Dataset data, IReadOnlyList<ObservationSpec> observations, IRunEvaluator? evaluator = null)
    {
        this.evaluator = evaluator;
        this.sink = sink;
        this.model = model;
        this.data = data;
        this.observations = observations;
        pendingTriggers = [.. observations.Where(o => o.Schedule is WhenScheduleSpec)];
        if (pendingTriggers.Any(o => o.Schedule is WhenScheduleSpec { Metric: "accuracy" }) && evaluator is not { Classifies: true })
        {
            throw new ArgumentException("observe when accuracy …: accuracy is measured for classification (the cross-entropy loss) only.", nameof(observations));
        }

        foreach (var measure in observations.SelectMany(o => o.Measures))
        {
            CheckEvaluation(measure);
            var layer = LayerOf(measure);
            if (layer is null)
            {
                continue;
            }

            if (model.Convolution(layer) is not null)
            {
                if (measure is not (CosineMeasure or CosineOutputsMeasure or RelDisMeasure))
                {
                    throw new NotSupportedException($"'{layer}' is a convolution layer: it can be observed with cosine (weights or outputs) and reldis, not {MeasureName(measure)}.");
                }
            }
            else if (measure is FeaturesMeasure && model.Layers[IndexOf(layer)].Inputs != 1)
            {
                throw new NotSupportedException($"features {layer}: orientation and amplitude are defined for a layer with 1-D input; '{layer}' has {model.Layers[IndexOf(layer)].Inputs} inputs.");
            }

            if (measure is CosineOutputsMeasure outputs)
            {
                CheckOutputsData(outputs);
            }

            if (measure is RelDisMeasure && !initialDirections.ContainsKey(layer))
            {
                initialDirections[layer] = Directions(layer);
            }
        }

        columns = MetricColumns.For(observations);
        sink.BeginMetrics(columns);
    }

    public IReadOnlyList<string> Columns => columns;

    /// <summary>Refuses, before training, a measure that needs a pass over data the run cannot make.</summary>
    private void CheckEvaluation(MeasureSpec measure)
    {
        switch (measure)
        {
            case AccuracyMeasure when evaluator is not { Classifies: true }:
                throw new ArgumentException("accuracy is measured for classification (the cross-entropy loss) only.");
            case LossMeasure { Data: { } other } when evaluator is null:
                throw new ArgumentException($"loss on {other.Name}: this run has no evaluation passes over other data.");
            case AccuracyMeasure { Data: { } spec }:
                evaluator!.Materialize(spec);
                break;
            case LossMeasure { Data: { } spec }:
                evaluator!.Materialize(spec);
                break;
        }
    }

    /// <summary>Refuses, before training, an output similarity over data the run does not have or with fewer points than asked.</summary>
    private void CheckOutputsData(CosineOutputsMeasure outputs)
    {
        var source = DataOf(outputs.Data);
        if (outputs.Count < 1 || outputs.Count > source.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(outputs), outputs.Count,
                $"cosine {outputs.Layer} outputs on {outputs.Data.Name} {outputs.Count}: the data has {source.Count} points; ask for 1 to {source.Count}.");
        }

        if (NeedsDevicePass(outputs.Layer) && evaluator is null)
        {
            throw new ArgumentException($"cosine {outputs.Layer} outputs: a model with convolutions is evaluated on the device, and this run has no evaluation passes.");
        }
    }

    /// <summary>The run's data set of <paramref name="spec"/>; without an evaluator only the training data is known.</summary>
    private Dataset DataOf(DataSpec spec)
    {
        if (evaluator is not null)
        {
            return evaluator.Materialize(spec);
        }

        return string.Equals(spec.Name, data.Name, StringComparison.Ordinal)
            ? data
            : throw new ArgumentException($"'{spec.Name}' is not the training data '{data.Name}', the only data set this run has.");
    }

    /// <summary>
    /// Whether the outputs of <paramref name="layer"/> come from a device pass: in a model with convolutions (the host
    /// float64 pass, <see cref="HostForward"/>, knows dense layers only).
    /// </summary>
    private bool NeedsDevicePass(string layer) => model.Spec.Layers.Any(l => l.Kind != LayerKind.Dense && l.Kind != LayerKind.Dropout) || model.Convolution(layer) is not null;

    /// <summary>Whether an `observe when …` has not fired yet: the training loop then evaluates every counted step.</summary>
    public bool HasPendingTrigger => pendingTriggers.Count > 0;

    /// <summary>
    /// Fires every pending `observe when …` whose condition holds for the training data's <paramref name="loss"/> and
    /// <paramref name="accuracy"/> at counted step <paramref name="unit"/>; returns whether one did (then record this step:
    /// <see cref="Record"/> takes the fired observations' measures). Each fires once.
    /// </summary>
    public bool Trigger(long unit, double loss, double accuracy)
    {
        var fired = pendingTriggers.Where(o => ((WhenScheduleSpec)o.Schedule).Holds(loss, accuracy)).ToArray();
        foreach (var observation in fired)
        {
            pendingTriggers.Remove(observation);
            firing.Add(observation);
        }

        return fired.Length > 0;
    }

    /// <summary>Whether any observation falls at counted step <paramref name="unit"/>.</summary>
    public bool IsDue(long unit)
    {
        // Indexed, not foreach: this runs every step, and an interface enumerator would allocate each time.
        for (var i = 0; i < observations.Count; i++)
        {
            if (observations[i].Schedule.IsDue(unit))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Records the observation at counted step <paramref name="unit"/>: the measures of every observation due there, or of
    /// all observations at step 0 and when <paramref name="final"/>: the initial state is every figure's reference (heatmaps
    /// side by side with it, RelDis from it), and the last row carries every measure for `expect … at end`.
    /// </summary>
    /// <remarks>
    /// The metrics row's step is <paramref name="unit"/>, the count training is declared in (epochs or steps), so that
    /// schedules, array names and `expect … at N` all name the same rows; with mini-batches the number of optimizer
    /// updates is epoch × ⌈n/batch⌉.
    /// </remarks>
    public void Record(long unit, double epoch, double loss, bool final)
    {
        var values = new double[columns.Count];
        Array.Fill(values, double.NaN);
        values[0] = loss;
        var snapshots = new Dictionary<string, LayerSnapshot>(StringComparer.Ordinal);
        var weightsWritten = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<MeasureSpec>();
        foreach (var observation in observations)
        {
            if (!final && unit != 0 && !observation.Schedule.IsDue(unit) && !firing.Contains(observation))
            {
                continue;
            }

            foreach (var measure in observation.Measures)
            {
                if (done.Add(measure))
                {
                    Measure(measure, unit, values, snapshots, weightsWritten);
                }
            }
        }

        sink.AppendMetrics(unit, epoch, values);
        firing.Clear();
    }

    private void Measure(MeasureSpec measure, long unit, double[] values, Dictionary<string, LayerSnapshot> snapshots, HashSet<string> weightsWritten)
    {
        switch (measure)
        {
            case AccuracyMeasure accuracy:
                Set(values, MetricColumns.Of(measure).Single(), evaluator!.Evaluate(accuracy.Data is null ? data : evaluator.Materialize(accuracy.Data)).Accuracy);
                return;
            case LossMeasure { Data: { } other }:
                Set(values, MetricColumns.Of(measure).Single(), evaluator!.Evaluate(evaluator.Materialize(other)).Loss);
                return;
        }

        var layer = LayerOf(measure);
        if (layer is null)
        {
            return;
        }

        if (measure is CosineOutputsMeasure outputs)
        {
            WriteOutputCosine(outputs, unit, values);
            return;
        }

        if (model.Convolution(layer) is { } conv)
        {
            MeasureConvolution(conv, measure, unit, values, weightsWritten);
            return;
        }

        if (!snapshots.TryGetValue(layer, out var snapshot))
        {
            snapshot = LayerSnapshot.Take(model, IndexOf(layer), data);
            snapshots[layer] = snapshot;
        }

        switch (measure)
        {
            case FeaturesMeasure features:
                WriteFeatures(layer, unit, snapshot, features.Amplitude);
                Set(values, $"static.{layer}", snapshot.Static.Count(s => s));
                WriteWeights(layer, unit, snapshot, weightsWritten);
                break;
            case CosineMeasure weightCosine:
                var cosine = Similarity.CosineMatrix(snapshot.Directions, snapshot.Neurons, snapshot.Dimension);
                sink.WriteArray(MetricColumns.ArrayName("cosine", layer, unit), [snapshot.Neurons, snapshot.Neurons], cosine);
                Set(values, $"aligned.{layer}", Similarity.AlignedFraction(cosine, snapshot.Neurons, weightCosine.AlignedThreshold));
                WriteWeights(layer, unit, snapshot, weightsWritten);
                break;
            case ClustersMeasure clusters:
                var result = Clustering.Leader(
                    snapshot.Directions, snapshot.Neurons, snapshot.Dimension, snapshot.FullAmplitudes, snapshot.Static,
                    clusters.Threshold, clusters.Signed, clusters.NegligibleFraction);
                Set(values, $"clusters.{layer}", result.ClusterCount);
                Set(values, $"effective_width.{layer}", Widths.Effective(result));
                Set(values, $"condensed_width.{layer}", Widths.Condensed(result, clusters.MassFraction));
                Set(values, $"negligible.{layer}", result.NegligibleCount);
                Set(values, $"static.{layer}", result.StaticCount);
                Set(values, $"lines.{layer}", Lines(result, clusters.LineSize));
                Set(values, $"largest_cluster.{layer}", LargestClusterFraction(result, snapshot.Neurons));
                break;
            case RelDisMeasure:
                Set(values, $"reldis.{layer}", RelativeDistance.Compute(initialDirections[layer], snapshot.Directions));
                break;
        }
    }

    /// <summary>Clusters holding at least <paramref name="lineSize"/> neurons: the lines a cosine heatmap shows.</summary>
    internal static int Lines(ClusterResult clusters, int lineSize) => clusters.ClusterSizes.Count(size => size >= lineSize);

    /// <summary>
    /// The largest cluster's share of all <paramref name="neurons"/> of the layer, static and negligible ones included in the
    /// count (so a layer whose neurons are mostly dead does not read as condensed); 0 when there is no cluster.
    /// </summary>
    internal static double LargestClusterFraction(ClusterResult clusters, int neurons) =>
        clusters.ClusterSizes.Length == 0 || neurons == 0 ? 0 : (double)clusters.ClusterSizes.Max() / neurons;

    /// <summary>
    /// A convolution's weight measures: its filters' kernels (each flattened over channels × kernel, SCIENCE.md §2, no bias)
    /// are the directions; the array weights.&lt;layer&gt; holds them (filters × channels·k·k).
    /// </summary>
    private void MeasureConvolution(ConvLayer conv, MeasureSpec measure, long unit, double[] values, HashSet<string> weightsWritten)
    {
        var (filters, length) = (conv.Spec.Width, conv.FanIn);
        var kernels = Directions(conv.Name);
        switch (measure)
        {
            case CosineMeasure weightCosine:
                var cosine = Similarity.CosineMatrix(kernels, filters, length);
                sink.WriteArray(MetricColumns.ArrayName("cosine", conv.Name, unit), [filters, filters], cosine);
                Set(values, $"aligned.{conv.Name}", Similarity.AlignedFraction(cosine, filters, weightCosine.AlignedThreshold));
                if (weightsWritten.Add(conv.Name))
                {
                    sink.WriteArray(MetricColumns.ArrayName("weights", conv.Name, unit), [filters, length], kernels);
                }

                break;
            case RelDisMeasure:
                Set(values, $"reldis.{conv.Name}", RelativeDistance.Compute(initialDirections[conv.Name], kernels));
                break;
        }
    }

    /// <summary>What RelDis and the weight cosine compare: a dense layer's (w_k, b_k) rows, a convolution's kernels.</summary>
    private double[] Directions(string layer) =>
        model.Convolution(layer) is { } conv
            ? model.ReadParameter(conv.Name + ".weight")
            : LayerSnapshot.Take(model, IndexOf(layer), data).Directions;

    /// <summary>
    /// cosine_outputs.&lt;layer&gt;: the neurons×neurons cosine matrix of the layer's outputs over the first Count points of
    /// the measure's data (SCIENCE.md §2 "output similarity"; a convolution's channel outputs over images × positions). A
    /// neuron whose outputs are all zero there (a dead ReLU) has no direction: it gets cosine 0 with every other neuron and 1
    /// with itself, the convention of the weight cosine (never NaN, which would spread through the heatmap's ordering).
    /// Dense models use the host float64 pass; models with convolutions a device pass, accumulated in float64.
    /// </summary>
    private void WriteOutputCosine(CosineOutputsMeasure measure, long unit, double[] values)
    {
        var source = DataOf(measure.Data);
        double[] cosine;
        int neurons;
        if (NeedsDevicePass(measure.Layer))
        {
            var width = model.OutputWidthOf(measure.Layer);
            neurons = model.Convolution(measure.Layer)?.Spec.Width ?? width;
            var positions = width / neurons;
            var gram = new GramMatrix(neurons);
            evaluator!.ForEachLayerOutput(source, measure.Count, measure.Layer, (chunk, rows) =>
            {
                for (var r = 0; r < rows; r++)
                {
                    gram.Add(chunk.AsSpan(r * width, width), positions);
                }
            });
            cosine = Similarity.CosineFromGram(gram.Values, neurons);
        }
        else
        {
            var index = IndexOf(measure.Layer);
            neurons = model.Layers[index].Outputs;
            var outputs = HostForward.Outputs(model, index, source, measure.Count);
            cosine = Similarity.CosineMatrixOfColumns(outputs, measure.Count, neurons);
        }

        sink.WriteArray(MetricColumns.ArrayName("cosine_outputs", measure.Layer, unit), [neurons, neurons], cosine);
        Set(values, $"aligned_outputs.{measure.Layer}", Similarity.AlignedFraction(cosine, neurons, measure.AlignedThreshold));
    }

    private void WriteFeatures(string layer, long unit, LayerSnapshot snapshot, AmplitudeKind amplitude)
    {
        var convention = amplitude == AmplitudeKind.Full ? AmplitudeConvention.Full : AmplitudeConvention.Input;
        var table = Features.OneDimensional(snapshot.Weights, snapshot.Biases, snapshot.OutputWeights, snapshot.Static, convention);
        var rows = new double[snapshot.Neurons * 3];
        for (var k = 0; k < snapshot.Neurons; k++)
        {
            rows[k * 3] = table.Orientation[k];
            rows[k * 3 + 1] = table.Amplitude[k];
            rows[k * 3 + 2] = table.Static[k] ? 1 : 0;
        }

        sink.WriteArray(MetricColumns.ArrayName("features", layer, unit), [snapshot.Neurons, 3], rows);
    }

    /// <summary>weights.&lt;layer&gt;: neurons×(inputs + 1), each row (w_k, b_k) (no bias column for a layer without bias).</summary>
    private void WriteWeights(string layer, long unit, LayerSnapshot snapshot, HashSet<string> written)
    {
        if (written.Add(layer))
        {
            sink.WriteArray(MetricColumns.ArrayName("weights", layer, unit), [snapshot.Neurons, snapshot.Dimension], snapshot.Directions);
        }
    }

    private void Set(double[] values, string column, double value)
    {
        var index = IndexOfColumn(column);
        if (index >= 0)
        {
            values[index] = value;
        }
    }

    private int IndexOfColumn(string column)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == column)
            {
                return i;
            }
        }

        return -1;
    }

    private int IndexOf(string layer)
    {
        for (var i = 0; i < model.Layers.Count; i++)
        {
            if (model.Layers[i].Name == layer)
            {
                return i;
            }
        }

        throw new ArgumentException($"The observed layer '{layer}' is not a layer of model '{model.Spec.Name}'.");
    }

    private static string MeasureName(MeasureSpec measure) => measure switch
    {
        FeaturesMeasure => "features",
        ClustersMeasure => "clusters",
        _ => measure.GetType().Name,
    };

    private static string? LayerOf(MeasureSpec measure) => measure switch
    {
        FeaturesMeasure m => m.Layer,
        CosineMeasure m => m.Layer,
        CosineOutputsMeasure m => m.Layer,
        ClustersMeasure m => m.Layer,
        RelDisMeasure m => m.Layer,
        _ => null,
    };
}
