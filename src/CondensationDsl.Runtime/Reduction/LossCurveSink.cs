using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Reduction;

/// <summary>
/// The sink of a fine-tuning session: keeps its loss rows in memory, so fine-tuning never adds rows to the run's
/// metrics.csv (whose steps belong to the main training) and its curve can be written as one array afterwards.
/// </summary>
internal sealed class LossCurveSink : IRunSink
{
    private int lossColumn = -1;

    /// <summary>(counted step, loss) per observation, in order.</summary>
    public List<(long Step, double Loss)> Rows { get; } = [];

    public void BeginMetrics(IReadOnlyList<string> columns) => lossColumn = columns.ToList().IndexOf("loss");

    public void AppendMetrics(long step, double epoch, IReadOnlyList<double> values) =>
        Rows.Add((step, lossColumn >= 0 ? values[lossColumn] : double.NaN));

    /// <summary>A fine-tuning that diverges and is retried keeps only its last attempt's curve.</summary>
    public void RestartAfterDivergence(DivergenceRetry retry) => Rows.Clear();

    // Fine-tuning observes the loss only, so nothing writes arrays here.
    public void WriteArray(string name, IReadOnlyList<int> shape, ReadOnlySpan<double> data)
    {
    }

    /// <summary>The rows as a rows×2 array (step, loss), row-major.</summary>
    public double[] ToArray()
    {
        var values = new double[Rows.Count * 2];
        for (var r = 0; r < Rows.Count; r++)
        {
            values[2 * r] = Rows[r].Step;
            values[(2 * r) + 1] = Rows[r].Loss;
        }

        return values;
    }
}
