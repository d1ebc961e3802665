using System.Text;
using System.Text.Json;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// The sweep-level declarations of an experiment: its `summary phase_diagram(…)` (or none), its sweep-level `expect`
/// clauses and its `summary loss_spectrum(…)` (or none).
/// </summary>
public sealed record SweepSpec(PhaseDiagramSpec? PhaseDiagram, IReadOnlyList<Expectation> Expectations, LossSpectrumSpec? LossSpectrum = null)
{
    public static SweepSpec Empty { get; } = new(null, []);
}

/// <summary>
/// sweep.json in a sweep folder: what the sweep as a whole declares, written by the CLI before the cells run, so the
/// summary (phase diagram, loss spectrum, sweep-level expectations) can be rebuilt from the folder alone, like a run's expectations.json.
/// </summary>
public static class SweepSpecFile
{
    public const string FileName = "sweep.json";

    public static string PathIn(string sweepDirectory) => Path.Combine(sweepDirectory, FileName);

    /// <summary>
    /// Writes (atomically replaces) &lt;sweepDirectory&gt;/sweep.json. Only the sweep-level expectations
    /// (<see cref="Expectation.IsSweepLevel"/>) are kept: the others are checked in each cell, so the caller may pass them all.
    /// </summary>
    public static void Write(string sweepDirectory, PhaseDiagramSpec? phaseDiagram, IReadOnlyList<Expectation> expectations, LossSpectrumSpec? lossSpectrum = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sweepDirectory);
        ArgumentNullException.ThrowIfNull(expectations);
        AtomicFile.WriteAllText(PathIn(sweepDirectory), Serialize(new SweepSpec(phaseDiagram, expectations.Where(e => e.IsSweepLevel).ToArray(), lossSpectrum)));
    }

    /// <summary>The declarations in &lt;sweepDirectory&gt;/sweep.json; <see cref="SweepSpec.Empty"/> when the file is absent.</summary>
    /// <exception cref="InvalidDataException">The file is not the JSON this class writes (the message names the file).</exception>
    public static SweepSpec Read(string sweepDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sweepDirectory);
        var path = PathIn(sweepDirectory);
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : SweepSpec.Empty;
    }

    public static string Serialize(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            if (spec.PhaseDiagram is { } pd)
            {
                json.WriteStartObject("phaseDiagram");
                json.WriteString("gamma", pd.Gamma);
                json.WriteString("gammaPrime", pd.GammaPrime);
                json.WriteString("width", pd.Width);
                json.WriteString("layer", pd.Layer);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("phaseDiagram");
            }

            json.WriteStartArray("expectations");
            foreach (var e in spec.Expectations)
            {
                json.WriteStartObject();
                json.WriteString("expectation", e.SourceText);
                json.WriteNumber("line", e.Line);
                json.WriteString("metric", e.Metric);
                json.WriteString("operator", ExpectationEvaluator.Symbol(e.Operator));
                json.WriteNumber("value", e.Value);
                json.WriteStartArray("when");
                foreach (var condition in e.When ?? [])
                {
                    json.WriteStartObject();
                    json.WriteString("parameter", condition.Parameter);
                    json.WriteStartArray("values");
                    foreach (var value in condition.Values)
                    {
                        json.WriteNumberValue(value);
                    }

                    json.WriteEndArray();
                    if (condition.Words is { } words)
                    {
                        json.WriteStartArray("words");
                        foreach (var word in words)
                        {
                            json.WriteStringValue(word);
                        }

                        json.WriteEndArray();
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (spec.LossSpectrum is { } ls)
            {
                json.WriteStartObject("lossSpectrum");
                json.WriteString("by", ls.By);
                json.WriteNumber("bins", ls.Bins);
                json.WriteNumber("from", ls.From);
                json.WriteNumber("to", ls.To);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("lossSpectrum");
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses sweep.json text; <paramref name="source"/> names it in error messages.</summary>
    public static SweepSpec Parse(string text, string source = FileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source}: expected a JSON object with 'phaseDiagram' and 'expectations'.");
            }

            PhaseDiagramSpec? phaseDiagram = null;
            if (root.TryGetProperty("phaseDiagram", out var pd) && pd.ValueKind != JsonValueKind.Null)
            {
                var where = source + ": phaseDiagram";
                phaseDiagram = pd.ValueKind == JsonValueKind.Object
                    ? new PhaseDiagramSpec(String(pd, "gamma", where), String(pd, "gammaPrime", where), String(pd, "width", where), String(pd, "layer", where))
                    : throw new InvalidDataException($"{where} must be an object or null.");
            }

            var expectations = Required(root, "expectations", source);
            if (expectations.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{source}: 'expectations' must be an array.");
            }

            return new SweepSpec(
                phaseDiagram,
                expectations.EnumerateArray().Select((item, i) => ReadExpectation(item, $"{source}: expectations[{i}]")).ToArray(),
                ReadLossSpectrum(root, source));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({ex.Message}).", ex);
        }
        catch (InvalidOperationException ex)
        {
            // A value of the wrong JSON kind (a string where a number belongs) surfaces from JsonElement as this.
            throw new InvalidDataException($"{source}: {ex.Message}", ex);
        }
    }

    /// <summary>'lossSpectrum': absent (a sweep.json written before it existed) or null is none.</summary>
    private static LossSpectrumSpec? ReadLossSpectrum(JsonElement root, string source)
    {
        if (!root.TryGetProperty("lossSpectrum", out var ls) || ls.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var where = source + ": lossSpectrum";
        if (ls.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where} must be an object or null.");
        }

        var bins = Required(ls, "bins", where).TryGetInt32(out var count) ? count : throw new InvalidDataException($"{where}: 'bins' must be a whole number.");
        var from = Required(ls, "from", where).GetDouble();
        var to = Required(ls, "to", where).GetDouble();
        if (bins < 1 || !double.IsFinite(from) || !double.IsFinite(to) || !(from < to))
        {
            throw new InvalidDataException($"{where}: need bins ≥ 1 and finite from < to, got bins {bins} on [{from}, {to}].");
        }

        return new LossSpectrumSpec(String(ls, "by", where), bins, from, to);
    }

    private static Expectation ReadExpectation(JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where}: expected an object.");
        }

        var symbol = String(item, "operator", where);
        var op = Enum.GetValues<ComparisonOperator>().Where(o => ExpectationEvaluator.Symbol(o) == symbol).Cast<ComparisonOperator?>().FirstOrDefault()
            ?? throw new InvalidDataException($"{where}: unknown operator '{symbol}'.");
        var when = item.TryGetProperty("when", out var conditions) && conditions.ValueKind == JsonValueKind.Array
            ? conditions.EnumerateArray().Select(c => new ExpectationCondition(
                String(c, "parameter", where),
                Required(c, "values", where).EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                c.TryGetProperty("words", out var words) && words.ValueKind == JsonValueKind.Array
                    ? words.EnumerateArray().Select(w => w.GetString() ?? throw new InvalidDataException($"{where}: a word is not a string.")).ToArray()
                    : null)).ToArray()
            : [];
        return new Expectation(
            Metric: String(item, "metric", where),
            AtStep: null,
            Operator: op,
            Value: Required(item, "value", where).GetDouble(),
            SourceText: String(item, "expectation", where),
            Line: item.TryGetProperty("line", out var line) && line.TryGetInt32(out var l) ? l : 0,
            When: when.Length == 0 ? null : when);
    }

    private static JsonElement Required(JsonElement item, string name, string where) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) ? value : throw new InvalidDataException($"{where}: missing '{name}'.");

    private static string String(JsonElement item, string name, string where)
    {
        var value = Required(item, name, where);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new InvalidDataException($"{where}: '{name}' must be a string.");
    }
}
