using System.Globalization;
using CondensationDsl.Language;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Running;

/// <summary>
/// Bad command-line input (unknown `--set` name, ill-typed or out-of-range value, unknown device): exit code 2.
/// <see cref="SourceText"/>, when given, lets the diagnostics show the lines of the experiment they point at.
/// </summary>
public sealed class UsageException(IReadOnlyList<Diagnostic> diagnostics, string? sourceText = null) : Exception(diagnostics[0].Message)
{
    public UsageException(Diagnostic diagnostic)
        : this([diagnostic])
    {
    }

    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;

    public string? SourceText { get; } = sourceText;
}

/// <summary>Parses and validates `--set name=value` against the experiment's declared parameters.</summary>
public static class ParameterOverrides
{
    public static IReadOnlyDictionary<string, double> Parse(string file, IEnumerable<string> assignments, IReadOnlyList<ParameterDeclaration> declared)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=');
            var name = equals > 0 ? assignment[..equals].Trim() : assignment.Trim();
            var text = equals > 0 ? assignment[(equals + 1)..].Trim() : string.Empty;
            var declaration = declared.FirstOrDefault(parameter => parameter.Name == name)
                ?? throw new UsageException(HostDiagnostics.UnknownParameter(file, name, declared.Select(parameter => parameter.Name)));
            values[name] = ParseValue(file, declaration, text);
        }

        return values;
    }

    private static double ParseValue(string file, ParameterDeclaration declaration, string text)
    {
        if (declaration.TryParse(text, out var value))
        {
            return value;
        }

        throw new UsageException(declaration.Type switch
        {
            ParameterType.Choice => HostDiagnostics.UnknownChoice(file, declaration.Name, text, declaration.Choices ?? []),
            ParameterType.Integer => HostDiagnostics.IllTypedParameter(file, declaration.Name, text, "integer"),
            _ => HostDiagnostics.IllTypedParameter(file, declaration.Name, text, "real"),
        });
    }
}
