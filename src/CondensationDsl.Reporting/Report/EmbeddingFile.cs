using System.Globalization;
using System.Text;
using System.Text.Json;
using CondensationDsl.Runtime.Embedding;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// embedding.json: the result of the embedding check after training (`embed L (neuron: k, split: s)`, SCIENCE.md §3 row
/// 6.2), so the report and `expect embedding.…` can be rebuilt from the run folder alone. Present only in runs whose
/// experiment has `embed`. Fields: layer, neuron (0-based), split, widthBefore, widthAfter, lossBefore, lossAfter,
/// functionGap, gradientNormBefore, gradientNormAfter, hessianBefore and hessianAfter (objects with positive, zero and
/// negative, or null when skipped), zeroTolerance, hessianSkipped (the reason, or null). Non-finite numbers are written as
/// the strings "NaN", "Infinity" and "-Infinity" (JSON has none) and read back as the same doubles.
/// </summary>
public static class EmbeddingFile
{
    public const string FileName = "embedding.json";

    private const string NaNText = "NaN";
    private const string PositiveInfinityText = "Infinity";
    private const string NegativeInfinityText = "-Infinity";

    public static string PathIn(string runDirectory) => Path.Combine(runDirectory, FileName);

    /// <summary>Writes (atomically replaces) &lt;runDirectory&gt;/embedding.json.</summary>
    public static void Write(string runDirectory, EmbeddingResult result)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(result);
        AtomicFile.WriteAllText(PathIn(runDirectory), Serialize(result));
    }

    /// <summary>The result in &lt;runDirectory&gt;/embedding.json; null when the file is absent (the run did not embed).</summary>
    /// <exception cref="InvalidDataException">The file is not the JSON this class writes (the message names the file).</exception>
    public static EmbeddingResult? Read(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        var path = PathIn(runDirectory);
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : null;
    }

    public static string Serialize(EmbeddingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("layer", result.Layer);
            json.WriteNumber("neuron", result.Neuron);
            WriteNumber(json, "split", result.Split);
            json.WriteNumber("widthBefore", result.WidthBefore);
            json.WriteNumber("widthAfter", result.WidthAfter);
            WriteNumber(json, "lossBefore", result.LossBefore);
            WriteNumber(json, "lossAfter", result.LossAfter);
            WriteNumber(json, "functionGap", result.FunctionGap);
            WriteNumber(json, "gradientNormBefore", result.GradientNormBefore);
            WriteNumber(json, "gradientNormAfter", result.GradientNormAfter);
            WriteCounts(json, "hessianBefore", result.HessianBefore);
            WriteCounts(json, "hessianAfter", result.HessianAfter);
            WriteNumber(json, "zeroTolerance", result.ZeroTolerance);
            if (result.HessianSkipped is { } reason)
            {
                json.WriteString("hessianSkipped", reason);
            }
            else
            {
                json.WriteNull("hessianSkipped");
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses embedding.json text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The text is not the JSON this class writes.</exception>
    public static EmbeddingResult Parse(string text, string source = FileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source}: not a valid embedding result (expected a JSON object).");
            }

            return new EmbeddingResult(
                String(root, "layer", source),
                Int(root, "neuron", source),
                Number(root, "split", source),
                Int(root, "widthBefore", source),
                Int(root, "widthAfter", source),
                Number(root, "lossBefore", source),
                Number(root, "lossAfter", source),
                Number(root, "functionGap", source),
                Number(root, "gradientNormBefore", source),
                Number(root, "gradientNormAfter", source),
                Counts(root, "hessianBefore", source),
                Counts(root, "hessianAfter", source),
                Number(root, "zeroTolerance", source),
                OptionalString(root, "hessianSkipped", source));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not a valid embedding result (not valid JSON: {ex.Message}).", ex);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteString(name, double.IsNaN(value) ? NaNText : value > 0 ? PositiveInfinityText : NegativeInfinityText);
        }
    }

    private static void WriteCounts(Utf8JsonWriter json, string name, HessianCounts? counts)
    {
        if (counts is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("positive", counts.Positive);
        json.WriteNumber("zero", counts.Zero);
        json.WriteNumber("negative", counts.Negative);
        json.WriteEndObject();
    }

    private static JsonElement Required(JsonElement item, string name, string where) =>
        item.TryGetProperty(name, out var value) ? value : throw Invalid(where, $"missing '{name}'");

    private static string String(JsonElement item, string name, string where)
    {
        var value = Required(item, name, where);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Invalid(where, $"'{name}' must be a string");
    }

    private static string? OptionalString(JsonElement item, string name, string where)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid(where, $"'{name}' must be a string or null");
    }

    private static int Int(JsonElement item, string name, string where, string? parent = null)
    {
        var shown = parent is null ? name : $"{parent}.{name}";
        var value = item.TryGetProperty(name, out var found) ? found : throw Invalid(where, $"missing '{shown}'");
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : throw Invalid(where, $"'{shown}' must be a whole number");
    }

    private static double Number(JsonElement item, string name, string where)
    {
        var value = Required(item, name, where);
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when value.GetString() == NaNText => double.NaN,
            JsonValueKind.String when value.GetString() == PositiveInfinityText => double.PositiveInfinity,
            JsonValueKind.String when value.GetString() == NegativeInfinityText => double.NegativeInfinity,
            _ => throw Invalid(where, $"'{name}' must be a number"),
        };
    }

    private static HessianCounts? Counts(JsonElement item, string name, string where)
    {
        var value = Required(item, name, where);
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(where, $"'{name}' must be an object or null");
        }

        return new HessianCounts(Int(value, "positive", where, name), Int(value, "zero", where, name), Int(value, "negative", where, name));
    }

    private static InvalidDataException Invalid(string where, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{where}: not a valid embedding result ({what})."));
}
