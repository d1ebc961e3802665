using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>An in-memory IRunSink that can run a callback after each row (e.g. to cancel the run).</summary>
internal sealed class MemorySink : IRunSink
{
    public IReadOnlyList<string> Columns { get; private set; } = [];

    public List<(long Step, double Epoch, double[] Values)> Rows { get; } = [];

    public Dictionary<string, (int[] Shape, double[] Data)> Arrays { get; } = new();

    public Action<long>? AfterRow { get; init; }

    public void BeginMetrics(IReadOnlyList<string> columns)
    {
        Assert.Empty(Columns);
        Columns = columns;
    }

    public void AppendMetrics(long step, double epoch, IReadOnlyList<double> values)
    {
        Assert.Equal(Columns.Count, values.Count);
        Rows.Add((step, epoch, values.ToArray()));
        AfterRow?.Invoke(step);
    }

    public void WriteArray(string name, IReadOnlyList<int> shape, ReadOnlySpan<double> data) => Arrays[name] = (shape.ToArray(), data.ToArray());

    public List<DivergenceRetry> Retries { get; } = [];

    public List<Embedding.EmbeddingResult> Embeddings { get; } = [];

    public void RecordEmbedding(Embedding.EmbeddingResult result) => Embeddings.Add(result);

    /// <summary>As the run folder does: the failed attempt's rows and arrays go, the retry is recorded.</summary>
    public void RestartAfterDivergence(DivergenceRetry retry)
    {
        Retries.Add(retry);
        Rows.Clear();
        Arrays.Clear();
        Columns = [];
    }

    public double[] Column(string name)
    {
        var index = Columns.ToList().IndexOf(name);
        return Rows.Select(r => r.Values[index]).ToArray();
    }
}
