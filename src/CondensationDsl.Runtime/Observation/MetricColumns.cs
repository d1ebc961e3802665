using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Observation;

/// <summary>
/// The metrics.csv columns of an experiment, in a stable order: "loss", then each measure's columns in the order the
/// measures are first declared. A column two measures share (static.&lt;layer&gt;) appears once.
/// </summary>
public static class MetricColumns
{
    public const string Loss = "loss";

    public const string Accuracy = "accuracy";

    public static IReadOnlyList<string> For(IEnumerable<ObservationSpec> observations)
    {
        var columns = new List<string> { Loss };
        foreach (var measure in observations.SelectMany(observation => observation.Measures))
        {
            foreach (var column in Of(measure))
            {
                if (!columns.Contains(column))
                {
                    columns.Add(column);
                }
            }
        }

        return columns;
    }

    /// <summary>The columns one measure fills (see the measure records' documentation).</summary>
    public static IEnumerable<string> Of(MeasureSpec measure) => measure switch
    {
        FeaturesMeasure features => [$"static.{features.Layer}"],
        ClustersMeasure clusters =>
        [
            $"clusters.{clusters.Layer}",
            $"effective_width.{clusters.Layer}",
            $"condensed_width.{clusters.Layer}",
            $"negligible.{clusters.Layer}",
            $"static.{clusters.Layer}",
            $"lines.{clusters.Layer}",
            $"largest_cluster.{clusters.Layer}",
        ],
        RelDisMeasure reldis => [$"reldis.{reldis.Layer}"],
        CosineMeasure cosine => [$"aligned.{cosine.Layer}"],
        CosineOutputsMeasure outputs => [$"aligned_outputs.{outputs.Layer}"],
        AccuracyMeasure { Data: null } => [Accuracy],
        AccuracyMeasure { Data: { } other } => [$"{Accuracy}.{other.Name}"],
        LossMeasure { Data: { } other } => [$"{Loss}.{other.Name}"],
        _ => [],
    };

    /// <summary>The file name (without .npy) of an array observed at counted step <paramref name="step"/>.</summary>
    public static string ArrayName(string kind, string layer, long step) => $"{kind}.{layer}.step{step:D7}";
}
