using System.Text;
using System.Text.Json;

namespace CondensationDsl.Reporting;

/// <summary>The state that run.json serializes; a snapshot taken under the run folder's lock.</summary>
internal sealed record RunState(
    string Experiment,
    string RunId,
    RunInfo? Info,
    DateTimeOffset? StartUtc,
    DateTimeOffset? EndUtc,
    RunStatus Status,
    string? Message,
    long StepsCompleted,
    long? LastStep,
    long RowsWritten,
    TimeSpan Wall,
    IReadOnlyList<CondensationDsl.Runtime.Program.DivergenceRetry> Retries);

/// <summary>Writes run.json. Hand-written with Utf8JsonWriter so the field order is fixed and diffs between runs stay readable.</summary>
internal static class RunJson
{
    public static string Serialize(RunState state)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("experiment", state.Experiment);
            json.WriteString("runId", state.RunId);
            json.WriteString("status", state.Status.ToString().ToLowerInvariant());
            WriteOptional(json, "message", state.Message);
            WriteOptional(json, "toolVersion", state.Info?.ToolVersion);
            WriteOptional(json, "gitCommit", state.Info?.GitCommit);
            WriteOptional(json, "dotnetVersion", state.Info?.DotNetVersion);
            WriteOptional(json, "ilgpuVersion", state.Info?.IlgpuVersion);
            WriteOptional(json, "device", state.Info?.DeviceName);
            if (state.Info?.Seed is { } seed)
            {
                json.WriteNumber("seed", seed);
            }
            else
            {
                json.WriteNull("seed");
            }

            json.WriteStartObject("parameters");
            foreach (var (name, value) in state.Info?.Parameters ?? new Dictionary<string, double>())
            {
                if (state.Info?.ParameterWords.TryGetValue(name, out var word) == true)
                {
                    json.WriteString(name, word);
                }
                else
                {
                    WriteNumber(json, name, value);
                }
            }

            json.WriteEndObject();
            WriteOptional(json, "startUtc", state.StartUtc?.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            WriteOptional(json, "endUtc", state.EndUtc?.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("stepsCompleted", state.StepsCompleted);
            if (state.LastStep is { } step)
            {
                json.WriteNumber("lastObservedStep", step);
            }
            else
            {
                json.WriteNull("lastObservedStep");
            }

            json.WriteNumber("observations", state.RowsWritten);
            json.WriteNumber("wallSeconds", Math.Round(state.Wall.TotalSeconds, 3));
            if (state.Info?.StartupSeconds is { } startup)
            {
                json.WriteNumber("startupSeconds", Math.Round(startup, 3));
            }

            // Only runs that retried: the attempts that diverged, where, and the learning rate each retry halved.
            if (state.Retries.Count > 0)
            {
                json.WriteStartArray("retries");
                foreach (var retry in state.Retries)
                {
                    json.WriteStartObject();
                    json.WriteNumber("attempt", retry.Attempt);
                    json.WriteNumber("step", retry.Step);
                    if (double.IsFinite(retry.Loss))
                    {
                        json.WriteNumber("loss", retry.Loss);
                    }
                    else
                    {
                        // JSON has no NaN or infinity; the text says which it was.
                        json.WriteString("loss", retry.Loss.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    json.WriteNumber("learningRate", retry.LearningRate);
                    json.WriteNumber("nextLearningRate", retry.NextLearningRate);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    // JSON has no NaN or infinity; such a parameter is written as null rather than failing the run.
    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
