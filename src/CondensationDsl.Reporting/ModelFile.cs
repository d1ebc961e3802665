using System.Text;
using System.Text.Json;
using CondensationDsl.Analysis;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting;

/// <summary>
/// One layer as model.json records it. <see cref="Multiplicity"/> is p of the activation (null: undefined, e.g. ReLU);
/// <see cref="DirectionBound"/> is 2p, the most condensed directions expected early in training.
/// </summary>
public sealed record LayerDescription(string Name, string Kind, int Width, string Activation, bool Bias, int? Multiplicity, int? DirectionBound);

/// <summary>The model of a run, as model.json records it.</summary>
public sealed record ModelDescription(string Name, int InputSize, IReadOnlyList<LayerDescription> Layers)
{
    /// <summary>Describes <paramref name="model"/>, computing each activation's multiplicity from its float64 host form.</summary>
    public static ModelDescription From(ModelSpec model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = model.Layers.Select(layer =>
        {
            var activation = layer.Activation;
            var p = Analysis.Multiplicity.Of(z => HostActivation.Apply(activation, z));

            // Lower case as the language spells them (relu, xtanh, x2tanh), so model.json reads like the source.
            return new LayerDescription(layer.Name, layer.Kind.ToString().ToLowerInvariant(), layer.Width,
                activation.ToString().ToLowerInvariant(), layer.Bias, p, Analysis.Multiplicity.DirectionBound(p));
        }).ToArray();
        return new ModelDescription(model.Name, model.InputSize, layers);
    }
}

/// <summary>
/// model.json: the trained model's layers with each activation's multiplicity and 2p bound, so the report can set the bound
/// beside the measured cluster count from the run folder alone. Absent in run folders older than this file.
/// </summary>
public static class ModelFile
{
    public const string FileName = "model.json";

    public static string PathIn(string runDirectory) => Path.Combine(runDirectory, FileName);

    /// <summary>Writes (atomically replaces) &lt;runDirectory&gt;/model.json.</summary>
    public static void Write(string runDirectory, ModelDescription model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.WriteAllText(PathIn(runDirectory), Serialize(model));
    }

    /// <summary>The model in &lt;runDirectory&gt;/model.json; null when the file is absent.</summary>
    public static ModelDescription? Read(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        var path = PathIn(runDirectory);
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : null;
    }

    public static string Serialize(ModelDescription model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("model", model.Name);
            json.WriteNumber("inputSize", model.InputSize);
            json.WriteStartArray("layers");
            foreach (var layer in model.Layers)
            {
                json.WriteStartObject();
                json.WriteString("name", layer.Name);
                json.WriteString("kind", layer.Kind);
                json.WriteNumber("width", layer.Width);
                json.WriteString("activation", layer.Activation);
                json.WriteBoolean("bias", layer.Bias);
                WriteOptional(json, "multiplicity", layer.Multiplicity);
                WriteOptional(json, "condensedDirectionsBound", layer.DirectionBound);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses model.json text; <paramref name="source"/> names it in error messages.</summary>
    public static ModelDescription Parse(string text, string source = FileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{source}: expected an object with a 'layers' array.");
            }

            var list = layers.EnumerateArray().Select((layer, i) => new LayerDescription(
                layer.GetProperty("name").GetString() ?? string.Empty,
                layer.GetProperty("kind").GetString() ?? string.Empty,
                layer.GetProperty("width").GetInt32(),
                layer.GetProperty("activation").GetString() ?? string.Empty,
                layer.GetProperty("bias").GetBoolean(),
                Optional(layer, "multiplicity"),
                Optional(layer, "condensedDirectionsBound"))).ToArray();
            return new ModelDescription(root.GetProperty("model").GetString() ?? string.Empty, root.GetProperty("inputSize").GetInt32(), list);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"{source}: not a valid model description ({ex.Message}).", ex);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static int? Optional(JsonElement layer, string name) =>
        layer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
