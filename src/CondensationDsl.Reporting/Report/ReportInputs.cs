namespace CondensationDsl.Reporting.Report;

/// <summary>
/// Everything the report shows, read from a run folder's files. Each part may be missing (null or empty, with the reason in
/// the matching Problem field) so a half-written or crashed run still gets a page.
/// </summary>
internal sealed record ReportInputs(
    string RunDirectory,
    RunRecord Run,
    string? Source,
    ExperimentHeader? Header,
    IReadOnlyList<ExpectationResult> Expectations,
    string? ExpectationsProblem,
    MetricsSummary? Metrics,
    string? MetricsProblem,
    ModelDescription? Model,
    string? ModelProblem,
    IReadOnlyDictionary<string, EarlyCondensation> EarlyClusters,
    Runtime.Reduction.ReductionResult? Reduction = null,
    string? ReductionProblem = null,
    Runtime.Embedding.EmbeddingResult? Embedding = null,
    string? EmbeddingProblem = null)
{
    public string Name => Header?.Name ?? Run.Experiment ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(RunDirectory));

    public string Title => Header?.Title ?? Name;

    public static ReportInputs Read(string runDirectory)
    {
        var sourcePath = Path.Combine(runDirectory, RunFolder.SourceFileName);
        var source = File.Exists(sourcePath) ? File.ReadAllText(sourcePath) : null;

        IReadOnlyList<ExpectationResult> expectations = [];
        string? expectationsProblem = null;
        try
        {
            expectations = ExpectationsFile.Read(runDirectory);
        }
        catch (FormatException ex)
        {
            expectationsProblem = ex.Message;
        }

        ModelDescription? model = null;
        string? modelProblem = null;
        try
        {
            model = ModelFile.Read(runDirectory);
        }
        catch (FormatException ex)
        {
            modelProblem = ex.Message;
        }

        MetricsSummary? metrics = null;
        IReadOnlyDictionary<string, EarlyCondensation> earlyClusters = new Dictionary<string, EarlyCondensation>();
        string? metricsProblem = null;
        var metricsPath = Path.Combine(runDirectory, RunFolder.MetricsFileName);
        if (!File.Exists(metricsPath))
        {
            metricsProblem = $"{RunFolder.MetricsFileName} is missing.";
        }
        else
        {
            try
            {
                var table = MetricsTable.Read(metricsPath);
                metrics = MetricsSummary.From(table);
                earlyClusters = EarlyClusterCounts.Find(table, model?.Layers.Select(l => l.Name) ?? []);
            }
            catch (FormatException ex)
            {
                metricsProblem = ex.Message;
            }
        }

        Runtime.Reduction.ReductionResult? reduction = null;
        string? reductionProblem = null;
        try
        {
            reduction = ReductionFile.Read(runDirectory);
        }
        catch (FormatException ex)
        {
            reductionProblem = ex.Message;
        }

        Runtime.Embedding.EmbeddingResult? embedding = null;
        string? embeddingProblem = null;
        try
        {
            embedding = EmbeddingFile.Read(runDirectory);
        }
        catch (InvalidDataException ex)
        {
            embeddingProblem = ex.Message;
        }

        var header = source is null ? null : ExperimentHeader.Find(source);
        return new ReportInputs(Path.GetFullPath(runDirectory), RunRecord.Read(runDirectory), source, header, expectations, expectationsProblem, metrics, metricsProblem,
            model, modelProblem, earlyClusters, reduction, reductionProblem, embedding, embeddingProblem);
    }
}
