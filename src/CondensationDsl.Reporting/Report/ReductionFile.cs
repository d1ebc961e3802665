using System.Text;
using System.Text.Json;
using CondensationDsl.Runtime.Reduction;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// reduction.json: the result of width reduction after training (SCIENCE.md §3 row 7.3), so the report and `expect
/// reduced_…` can be rebuilt from the run folder alone. Present only in runs whose experiment has `reduce`. Fields:
/// layer, nextLayer, threshold, negligibleFraction, agreementTolerance, widthBefore, widthAfter, staticDropped,
/// negligibleDropped, points, outputScale, lossBefore, lossReduced, agreementReduced, groups, and fineTuneSteps,
/// lossFinetuned, agreementFinetuned (null without fine-tuning, or while it has not finished).
/// </summary>
public static class ReductionFile
{
    public const string FileName = "reduction.json";

    public static string PathIn(string runDirectory) => Path.Combine(runDirectory, FileName);

    /// <summary>Writes (atomically replaces) &lt;runDirectory&gt;/reduction.json.</summary>
    public static void Write(string runDirectory, ReductionResult result)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(result);
        AtomicFile.WriteAllText(PathIn(runDirectory), Serialize(result));
    }

    /// <summary>The result in &lt;runDirectory&gt;/reduction.json; null when the file is absent (the run did not reduce).</summary>
    public static ReductionResult? Read(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        var path = PathIn(runDirectory);
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : null;
    }

    public static string Serialize(ReductionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("layer", result.Layer);
            json.WriteString("nextLayer", result.NextLayer);
            WriteNumber(json, "threshold", result.Threshold);
            WriteNumber(json, "negligibleFraction", result.NegligibleFraction);
            WriteNumber(json, "agreementTolerance", result.AgreementTolerance);
            json.WriteNumber("widthBefore", result.WidthBefore);
            json.WriteNumber("widthAfter", result.WidthAfter);
            json.WriteNumber("staticDropped", result.StaticDropped);
            json.WriteNumber("negligibleDropped", result.NegligibleDropped);
            json.WriteNumber("points", result.Points);
            WriteNumber(json, "outputScale", result.OutputScale);
            WriteNumber(json, "lossBefore", result.LossBefore);
            WriteNumber(json, "lossReduced", result.LossReduced);
            WriteNumber(json, "agreementReduced", result.AgreementReduced);
            if (result.FineTuneSteps is { } steps)
            {
                json.WriteNumber("fineTuneSteps", steps);
            }
            else
            {
                json.WriteNull("fineTuneSteps");
            }

            WriteNumber(json, "lossFinetuned", result.LossFinetuned);
            WriteNumber(json, "agreementFinetuned", result.AgreementFinetuned);

            // Last and on one line: one entry per neuron of the layer, which would otherwise bury the numbers above.
            json.WritePropertyName("groups");
            json.WriteRawValue("[" + string.Join(", ", result.Groups.Select(g => g.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]");
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses reduction.json text; <paramref name="source"/> names it in error messages.</summary>
    public static ReductionResult Parse(string text, string source = FileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("expected a JSON object");
            }

            return new ReductionResult(
                root.GetProperty("layer").GetString() ?? string.Empty,
                root.GetProperty("nextLayer").GetString() ?? string.Empty,
                Number(root, "threshold"),
                Number(root, "negligibleFraction"),
                Number(root, "agreementTolerance"),
                root.GetProperty("widthBefore").GetInt32(),
                root.GetProperty("widthAfter").GetInt32(),
                root.GetProperty("staticDropped").GetInt32(),
                root.GetProperty("negligibleDropped").GetInt32(),
                root.GetProperty("points").GetInt32(),
                Number(root, "outputScale"),
                Number(root, "lossBefore"),
                Number(root, "lossReduced"),
                Number(root, "agreementReduced"),
                root.GetProperty("groups").EnumerateArray().Select(g => g.GetInt32()).ToArray(),
                root.TryGetProperty("fineTuneSteps", out var steps) && steps.ValueKind == JsonValueKind.Number ? steps.GetInt64() : null,
                OptionalNumber(root, "lossFinetuned"),
                OptionalNumber(root, "agreementFinetuned"));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"{source}: not a valid reduction result ({ex.Message}).", ex);
        }
    }

    // JSON has no NaN or infinity. A loss should never be one (training stops on it), but if one gets here it is written as
    // the string "NaN"/"Infinity" and read back as that number, rather than failing the run's last write or passing for 0.
    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is not { } v)
        {
            json.WriteNull(name);
        }
        else if (double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteString(name, v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static double Number(JsonElement root, string name) =>
        OptionalNumber(root, name) ?? throw new InvalidOperationException($"'{name}' is null");

    private static double? OptionalNumber(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? double.Parse(value.GetString()!, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)
            : value.GetDouble();
    }
}
