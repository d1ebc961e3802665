using System.Globalization;
using System.Text;
using System.Text.Json;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Report;

/// <summary>
/// expectations.json: the `expect` results of a run, kept beside metrics.csv so `cond report` can rebuild the report from
/// the folder alone (the clauses' source text is not recoverable from metrics.csv). One object per clause, in order.
/// </summary>
public static class ExpectationsFile
{
    public const string FileName = "expectations.json";

    // JSON has no NaN or infinity, but a diverged run can measure an infinite loss; such values are written as the
    // strings below and read back as the same doubles, so a round trip never loses what the table showed.
    private const string NaNText = "NaN";
    private const string PositiveInfinityText = "Infinity";
    private const string NegativeInfinityText = "-Infinity";
    private const string EndText = "end";

    public static string PathIn(string runDirectory) => Path.Combine(runDirectory, FileName);

    /// <summary>Writes (atomically replaces) &lt;runDirectory&gt;/expectations.json.</summary>
    public static void Write(string runDirectory, IReadOnlyList<ExpectationResult> results)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(results);
        AtomicFile.WriteAllText(PathIn(runDirectory), Serialize(results));
    }

    /// <summary>The results in &lt;runDirectory&gt;/expectations.json; an empty list when the file is absent.</summary>
    public static IReadOnlyList<ExpectationResult> Read(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        var path = PathIn(runDirectory);
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : [];
    }

    public static string Serialize(IReadOnlyList<ExpectationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var result in results)
            {
                var e = result.Expectation;
                json.WriteStartObject();
                json.WriteString("expectation", e.SourceText);
                json.WriteNumber("line", e.Line);
                json.WriteString("metric", e.Metric);
                if (e.AtStep is { } step)
                {
                    json.WriteNumber("step", step);
                }
                else
                {
                    json.WriteString("step", EndText);
                }

                json.WriteString("operator", ExpectationEvaluator.Symbol(e.Operator));
                WriteNumber(json, "expected", e.Value);
                if (result.Actual is { } actual)
                {
                    WriteNumber(json, "actual", actual);
                }
                else
                {
                    json.WriteNull("actual");
                }

                json.WriteBoolean("passed", result.Passed);
                json.WriteString("message", result.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses expectations.json text; <paramref name="source"/> names it in error messages.</summary>
    public static IReadOnlyList<ExpectationResult> Parse(string text, string source = FileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{source}: expected a JSON array of expectation results.");
            }

            return document.RootElement.EnumerateArray().Select((item, i) => ReadOne(item, $"{source}[{i}]")).ToArray();
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: not valid JSON ({ex.Message}).", ex);
        }
    }

    private static ExpectationResult ReadOne(JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where}: expected an object.");
        }

        var step = Required(item, "step", where);
        long? atStep = step.ValueKind == JsonValueKind.String && step.GetString() == EndText
            ? null
            : step.ValueKind == JsonValueKind.Number && step.TryGetInt64(out var n) ? n : throw new FormatException($"{where}: 'step' must be a whole number or \"end\".");
        var expectation = new Expectation(
            Metric: String(item, "metric", where),
            AtStep: atStep,
            Operator: ParseOperator(String(item, "operator", where), where),
            Value: Number(Required(item, "expected", where), "expected", where),
            SourceText: String(item, "expectation", where),
            Line: item.TryGetProperty("line", out var line) && line.TryGetInt32(out var l) ? l : 0);
        var actualElement = Required(item, "actual", where);
        double? actual = actualElement.ValueKind == JsonValueKind.Null ? null : Number(actualElement, "actual", where);
        var passed = Required(item, "passed", where);
        if (passed.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new FormatException($"{where}: 'passed' must be true or false.");
        }

        return new ExpectationResult(expectation, actual, passed.GetBoolean(), String(item, "message", where));
    }

    private static JsonElement Required(JsonElement item, string name, string where) =>
        item.TryGetProperty(name, out var value) ? value : throw new FormatException($"{where}: missing '{name}'.");

    private static string String(JsonElement item, string name, string where)
    {
        var value = Required(item, name, where);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{where}: '{name}' must be a string.");
    }

    private static double Number(JsonElement value, string name, string where) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when value.GetString() == NaNText => double.NaN,
        JsonValueKind.String when value.GetString() == PositiveInfinityText => double.PositiveInfinity,
        JsonValueKind.String when value.GetString() == NegativeInfinityText => double.NegativeInfinity,
        _ => throw new FormatException($"{where}: '{name}' must be a number."),
    };

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

    private static ComparisonOperator ParseOperator(string symbol, string where)
    {
        foreach (var op in Enum.GetValues<ComparisonOperator>())
        {
            if (ExpectationEvaluator.Symbol(op) == symbol)
            {
                return op;
            }
        }

        throw new FormatException($"{where}: unknown operator '{symbol}'.");
    }
}
