using System.Reflection;
using System.Runtime.CompilerServices;
using CondensationDsl.Runtime.Program;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CondensationDsl.Cli.Hosting;

/// <summary>The emitted C# failed to compile: always a bug of ours, never the user's.</summary>
public sealed class EmittedCodeException(string message) : Exception(message);

/// <summary>Compiles emitted C# in memory with Roslyn. Kept apart from the cache path so a warm run never loads Roslyn.</summary>
public static class ExperimentCompiler
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static byte[] Compile(string source, string assemblyName)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Experiment.cs");
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithDeterministic(true)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithConcurrentBuild(false);
        var compilation = CSharpCompilation.Create(assemblyName, [tree], References(), options);
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
        {
            var errors = result.Diagnostics
                .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)
                .Take(10)
                .Select(diagnostic => "  " + diagnostic.ToString());
            throw new EmittedCodeException(string.Join(Environment.NewLine, errors));
        }

        return image.ToArray();
    }

    /// <summary>The framework's assemblies plus the runtime library that emitted programs call.</summary>
    private static IEnumerable<MetadataReference> References()
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(IsFrameworkAssembly);
        var runtime = typeof(IExperimentProgram).Assembly.Location;
        var analysis = typeof(CondensationDsl.Analysis.ClusterResult).Assembly.Location;
        return trusted.Append(runtime).Append(analysis).Distinct().Select(path => MetadataReference.CreateFromFile(path));
    }

    private static bool IsFrameworkAssembly(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith("System.", StringComparison.Ordinal)
            || name is "System.dll" or "mscorlib.dll" or "netstandard.dll";
    }

    /// <summary>The identity of the runtime assembly, part of the cache key: a rebuilt runtime invalidates cached programs.</summary>
    public static Guid RuntimeModuleVersion => typeof(IExperimentProgram).Assembly.ManifestModule.ModuleVersionId;

    public static string ToolVersion =>
        typeof(ExperimentCompiler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";
}
