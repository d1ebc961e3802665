using System.Reflection;
using System.Runtime.Loader;
using CondensationDsl.Runtime.Program;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RoslynDiagnostic = Microsoft.CodeAnalysis.Diagnostic;
using RoslynSeverity = Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace CondensationDsl.Language.Tests;

/// <summary>Compiles emitted C# in memory against the Runtime assembly, as the CLI will.</summary>
public static class RoslynHost
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(IExperimentProgram).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    public sealed record Compiled(IReadOnlyList<RoslynDiagnostic> Diagnostics, Assembly? Assembly);

    public static Compiled Compile(string source, string assemblyName = "Emitted")
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create(
            assemblyName,
            new[] { tree },
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, deterministic: true, warningLevel: 9999));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var diagnostics = result.Diagnostics.Where(d => d.Severity >= RoslynSeverity.Warning).ToList();
        if (!result.Success)
        {
            return new Compiled(diagnostics, null);
        }

        stream.Position = 0;
        var context = new AssemblyLoadContext(assemblyName, isCollectible: true);
        return new Compiled(diagnostics, context.LoadFromStream(stream));
    }

    public static IExperimentProgram Instantiate(Assembly assembly, string className)
    {
        var type = assembly.GetType($"{Compiler.GeneratedNamespace}.{className}", throwOnError: true)!;
        return (IExperimentProgram)Activator.CreateInstance(type)!;
    }
}
