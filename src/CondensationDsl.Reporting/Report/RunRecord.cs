using System.Text.Json;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// run.json read back for the report. Every field is optional: the report must still render for a folder written by an
/// older tool, a run that crashed before writing a field, or a hand-edited file. Numbers keep their JSON text, so the
/// report shows exactly what run.json holds (a seed or a parameter is never rounded by a double round trip).
/// </summary>
public sealed record RunRecord
{
    public string? Experiment { get; init; }
    public string? RunId { get; init; }
    public string? Status { get; init; }
    public string? Message { get; init; }
    public string? ToolVersion { get; init; }
    public string? GitCommit { get; init; }
    public string? DotNetVersion { get; init; }
    public string? IlgpuVersion { get; init; }
    public string? Device { get; init; }
    public string? Seed { get; init; }

    /// <summary>Name and value as written; the value is null where run.json has null (a non-finite parameter).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; init; } = [];

    public string? StartUtc { get; init; }
    public string? EndUtc { get; init; }
    public string? StepsCompleted { get; init; }
    public string? LastObservedStep { get; init; }
    public string? Observations { get; init; }
    public double? WallSeconds { get; init; }
    public double? StartupSeconds { get; init; }

    /// <summary>Why run.json could not be read (missing, not JSON); null when it was read.</summary>
    public string? Problem { get; init; }

    public static RunRecord Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, RunFolder.RunJsonFileName);
        if (!File.Exists(path))
        {
            return new RunRecord { Problem = $"{RunFolder.RunJsonFileName} is missing." };
        }

        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            return new RunRecord { Problem = $"{RunFolder.RunJsonFileName} is not valid JSON: {ex.Message}" };
        }
    }

    public static RunRecord Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new RunRecord { Problem = $"{RunFolder.RunJsonFileName} is not a JSON object." };
        }

        return new RunRecord
        {
            Experiment = Text(root, "experiment"),
            RunId = Text(root, "runId"),
            Status = Text(root, "status"),
            Message = Text(root, "message"),
            ToolVersion = Text(root, "toolVersion"),
            GitCommit = Text(root, "gitCommit"),
            DotNetVersion = Text(root, "dotnetVersion"),
            IlgpuVersion = Text(root, "ilgpuVersion"),
            Device = Text(root, "device"),
            Seed = Text(root, "seed"),
            Parameters = root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                ? parameters.EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name, Text(p.Value))).ToArray()
                : [],
            StartUtc = Text(root, "startUtc"),
            EndUtc = Text(root, "endUtc"),
            StepsCompleted = Text(root, "stepsCompleted"),
            LastObservedStep = Text(root, "lastObservedStep"),
            Observations = Text(root, "observations"),
            WallSeconds = Number(root, "wallSeconds"),
            StartupSeconds = Number(root, "startupSeconds"),
        };
    }

    private static string? Text(JsonElement root, string name) => root.TryGetProperty(name, out var value) ? Text(value) : null;

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    private static double? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
