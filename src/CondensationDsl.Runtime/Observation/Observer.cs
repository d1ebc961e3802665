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
    private readonly Func<double>? accuracy;
    private readonly Dictionary<string, double[]> initialDirections = new(StringComparer.Ordinal);

    /// <summary>Checks every observed layer, remembers the initial weights RelDis compares against, and declares the columns.</summary>
    /// <param name="accuracy">The fraction of the data classified right at the current parameters (cross-entropy runs); null when the run cannot tell.</param>
    public Observer(IRunSink sink, FeedForwardModel model, Dataset data, IReadOnlyList<ObservationSpec> observations, Func<double>? accuracy = null)
    {
        if (accuracy is null && observations.Any(observation => observation.Measures.Any(measure => measure is AccuracyMeasure)))
        {
            throw new ArgumentException("accuracy is measured for classification (the cross-entropy loss) only.", nameof(observations));
        }

        this.accuracy = accuracy;
        this.sink = sink;
        this.model = model;
        this.data = data;
        this.observations = observations;
        foreach (var measure in observations.SelectMany(o => o.Measures))
        {
            var layer = LayerOf(measure);
            if (layer is null)
            {
                continue;
            }

            var index = IndexOf(layer);
            if (measure is FeaturesMeasure && model.Layers[index].Inputs != 1)
            {
                throw new NotSupportedException($"features {layer}: orientation and amplitude are defined for a layer with 1-D input; '{layer}' has {model.Layers[index].Inputs} inputs.");
            }

            if (measure is CosineOutputsMeasure outputs)
            {
                CheckOutputsData(outputs);
            }

            if (measure is RelDisMeasure && !initialDirections.ContainsKey(layer))
            {
                initialDirections[layer] = LayerSnapshot.Take(model, index, data).Directions;
            }
        }

        columns = MetricColumns.For(observations);
        sink.BeginMetrics(columns);
    }

    public IReadOnlyList<string> Columns => columns;

    /// <summary>Refuses, before training, an output similarity over data that is not the training set or has fewer points than asked.</summary>
    private void CheckOutputsData(CosineOutputsMeasure outputs)
    {
        if (!string.Equals(outputs.Data, data.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"cosine {outputs.Layer} outputs on {outputs.Data}: '{outputs.Data}' is not the training data '{data.Name}', the only data set a run has.");
        }

        if (outputs.Count < 1 || outputs.Count > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(outputs), outputs.Count,
                $"cosine {outputs.Layer} outputs on {outputs.Data} {outputs.Count}: the data has {data.Count} points; ask for 1 to {data.Count}.");
        }
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
            if (!final && unit != 0 && !observation.Schedule.IsDue(unit))
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
    }

    private void Measure(MeasureSpec measure, long unit, double[] values, Dictionary<string, LayerSnapshot> snapshots, HashSet<string> weightsWritten)
    {
        if (measure is AccuracyMeasure)
        {
            Set(values, MetricColumns.Accuracy, accuracy!());
            return;
        }

        var layer = LayerOf(measure);
        if (layer is null)
        {
            return;
        }

        if (measure is CosineOutputsMeasure outputs)
        {
            WriteOutputCosine(outputs, unit);
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
            case CosineMeasure:
                var cosine = Similarity.CosineMatrix(snapshot.Directions, snapshot.Neurons, snapshot.Dimension);
                sink.WriteArray(MetricColumns.ArrayName("cosine", layer, unit), [snapshot.Neurons, snapshot.Neurons], cosine);
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
    /// cosine_outputs.&lt;layer&gt;: the neurons×neurons cosine matrix of the layer's outputs over the first Count training
    /// points (SCIENCE.md §2 "output similarity"). A neuron whose outputs are all zero there (a dead ReLU) has no direction:
    /// it gets cosine 0 with every other neuron and 1 with itself, the convention of the weight cosine (never NaN, which
    /// would spread through the heatmap's ordering).
    /// </summary>
    private void WriteOutputCosine(CosineOutputsMeasure measure, long unit)
    {
        var index = IndexOf(measure.Layer);
        var neurons = model.Layers[index].Outputs;
        var outputs = HostForward.Outputs(model, index, data, measure.Count);
        var cosine = Similarity.CosineMatrixOfColumns(outputs, measure.Count, neurons);
        sink.WriteArray(MetricColumns.ArrayName("cosine_outputs", measure.Layer, unit), [neurons, neurons], cosine);
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
