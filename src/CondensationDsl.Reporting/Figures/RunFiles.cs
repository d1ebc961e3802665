using System.Globalization;
using System.Text.Json;

namespace CondensationDsl.Reporting.Figures;

/// <summary>What the figures are drawn from: the experiment's name, metrics.csv and the snapshot arrays, each optional.</summary>
internal sealed class RunFiles
{
    private readonly Dictionary<long, double> epochOfStep;

    private RunFiles(string experiment, MetricsTable? metrics, IReadOnlyList<SnapshotArray> arrays, PanelCache panels, ModelDescription? model, Dictionary<long, double>? epochOfStep = null)
    {
        Experiment = experiment;
        Panels = panels;
        Model = model;
        Metrics = metrics;
        Arrays = arrays;
        this.epochOfStep = epochOfStep ?? new Dictionary<long, double>();
        var stepColumn = metrics?.IndexOf(MetricsCsvWriter.StepColumn) ?? -1;
        var epochColumn = metrics?.IndexOf(MetricsCsvWriter.EpochColumn) ?? -1;
        if (metrics is not null && stepColumn >= 0 && epochColumn >= 0)
        {
            foreach (var row in metrics.Rows)
            {
                if (double.IsFinite(row[stepColumn]) && double.IsFinite(row[epochColumn]))
                {
                    this.epochOfStep.TryAdd((long)row[stepColumn], row[epochColumn]);
                }
            }
        }
    }

    public string Experiment { get; }

    public MetricsTable? Metrics { get; }

    public IReadOnlyList<SnapshotArray> Arrays { get; }

    /// <summary>Where the figures drawn from these files keep the panels they share.</summary>
    public PanelCache Panels { get; }

    /// <summary>model.json's layers, when the folder has a readable one (older runs have none).</summary>
    public ModelDescription? Model { get; }

    public static RunFiles Read(string runDirectory, PanelCache panels) =>
        Read(runDirectory, SnapshotArray.LoadAll(Path.Combine(runDirectory, RunFolder.ArraysFolderName)), panels);

    /// <summary>run.json and metrics.csv from the folder, with <paramref name="arrays"/> as the content of its arrays folder.</summary>
    public static RunFiles Read(string runDirectory, IEnumerable<SnapshotArray> arrays, PanelCache panels) =>
        new(ExperimentName(runDirectory), TryReadMetrics(Path.Combine(runDirectory, RunFolder.MetricsFileName)), SnapshotArray.Sorted(arrays), panels, TryReadModel(runDirectory));

    /// <summary>
    /// What a run in progress has written so far, as the run handed it over (the same values its files hold): the arrays,
    /// sorted as <see cref="SnapshotArray.LoadAll"/> sorts them, and each observed step's epoch; no metrics table, so only
    /// per-snapshot figures can be drawn from it.
    /// </summary>
    public static RunFiles InProgress(string experiment, IEnumerable<SnapshotArray> arrays, IReadOnlyDictionary<long, double> epochOfStep, PanelCache panels, ModelDescription? model) =>
        new(experiment, null, SnapshotArray.Sorted(arrays), panels, model, new Dictionary<long, double>(epochOfStep));

    /// <summary>The arrays of one kind, grouped by layer, each group in step order.</summary>
    public IEnumerable<IGrouping<string, SnapshotArray>> ByLayer(string kind) =>
        Arrays.Where(a => a.Kind == kind).GroupBy(a => a.Layer, StringComparer.Ordinal);

    public SnapshotArray? Find(string kind, string layer, long step) =>
        Arrays.FirstOrDefault(a => a.Kind == kind && a.Layer == layer && a.Step == step);

    /// <summary>
    /// Whether <paramref name="layer"/> is a convolution: its weight cosines compare its filters' kernels, not neurons' input
    /// weights. A layer inside a residual block (`layer4.1.conv2`) is one of the block's convolutions, the only layers of a
    /// block that can be observed. False without model.json.
    /// </summary>
    public bool IsConvolution(string layer) =>
        Model?.Layers.Any(l => (l.Kind == "conv" && l.Name == layer) || (l.Kind == "residual" && layer.StartsWith(l.Name + ".", StringComparison.Ordinal))) == true;

    /// <summary>"epoch N" when metrics.csv gives the step's epoch (arrays are named by step; with SGD the two differ), else "step N".</summary>
    public string WhenLabel(long step)
    {
        if (epochOfStep.TryGetValue(step, out var epoch))
        {
            return "epoch " + epoch.ToString(epoch == Math.Floor(epoch) ? "0" : "0.##", CultureInfo.InvariantCulture);
        }

        return "step " + step.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>run.json's "experiment", else the folder's name, so a run whose run.json is missing still gets titled figures.</summary>
    public static string ExperimentName(string runDirectory)
    {
        var fallback = Path.GetFileName(Path.TrimEndingDirectorySeparator(runDirectory));
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(runDirectory, RunFolder.RunJsonFileName)));
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("experiment", out var name)
                && name.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(name.GetString())
                ? name.GetString()!
                : fallback;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return fallback;
        }
    }

    /// <summary>model.json of the folder; null when it is missing or unreadable (the figures then say "neuron" throughout).</summary>
    public static ModelDescription? TryReadModel(string runDirectory)
    {
        try
        {
            return ModelFile.Read(runDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static MetricsTable? TryReadMetrics(string path)
    {
        try
        {
            return File.Exists(path) ? MetricsTable.Read(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
