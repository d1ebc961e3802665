using System.Diagnostics;
using CondensationDsl.Cli.Commands;
using CondensationDsl.Cli.Hosting;
using CondensationDsl.Cli.Output;
using CondensationDsl.Language;

namespace CondensationDsl.Cli.Running;

/// <summary>
/// An experiment ready to run: checked, emitted, compiled (or taken from the cache), loaded, its `--set` values
/// validated and its sweep expanded into cells.
/// </summary>
public sealed class PreparedExperiment : IDisposable
{
    private PreparedExperiment(SourceFile source, string emittedSource, LoadedExperiment loaded, IReadOnlyList<SweepCell> cells, TimeSpan prepareTime, bool cacheHit)
    {
        Source = source;
        EmittedSource = emittedSource;
        Loaded = loaded;
        Cells = cells;
        PrepareTime = prepareTime;
        CacheHit = cacheHit;
    }

    public SourceFile Source { get; }

    /// <summary>The C# program the front end emitted for <see cref="Source"/>.</summary>
    public string EmittedSource { get; }

    public LoadedExperiment Loaded { get; }

    public IReadOnlyList<SweepCell> Cells { get; }

    /// <summary>Time spent in the front end, Roslyn (on a cache miss) and loading.</summary>
    public TimeSpan PrepareTime { get; }

    public bool CacheHit { get; }

    public string Name => Loaded.Program.Info.Name;

    /// <summary>Null when the file has errors (already printed). Throws UsageException for bad `--set` values.</summary>
    public static PreparedExperiment? Prepare(string path, IReadOnlyList<string> assignments)
    {
        var clock = Stopwatch.StartNew();
        var source = FrontEnd.Read(path);
        var compiled = FrontEnd.Compile(source, emit: true);
        if (compiled is null)
        {
            return null;
        }

        // A successful compilation always carries both; their absence would be a bug of the front end.
        var emitted = compiled.CSharpSource ?? throw new InvalidOperationException("The front end reported success without C# source.");
        var name = compiled.ExperimentName ?? throw new InvalidOperationException("The front end reported success without an experiment name.");
        var host = new ExperimentHost(CompileCache.Default());
        var loaded = Load(host, emitted, name);
        try
        {
            var info = loaded.Program.Info;
            var overrides = ParameterOverrides.Parse(path, assignments, info.Parameters);
            var cells = SweepPlan.Expand(info.Sweep, overrides, info.Parameters);
            RejectInvalidValues(source, cells);
            return new PreparedExperiment(source, emitted, loaded, cells, clock.Elapsed, host.LastLoadWasCached);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The checker's range checks again with each cell's values: the file's own sweep values passed them at compile
    /// time, so what fails here comes from `--set` (alone or combined with a sweep value) — a usage error, before any run.
    /// </summary>
    private static void RejectInvalidValues(SourceFile source, IReadOnlyList<SweepCell> cells)
    {
        var problems = cells
            .Where(cell => cell.Overrides.Count > 0)
            .SelectMany(cell => Compiler.CheckValues(source.DisplayPath, source.Text, cell.Overrides))
            .DistinctBy(diagnostic => diagnostic.ToMsBuildFormat())
            .ToArray();
        if (problems.Length > 0)
        {
            throw new UsageException(problems, source.Text);
        }
    }

    /// <summary>A compile error in emitted code is our bug: keep the code where the user can attach it to a report.</summary>
    private static LoadedExperiment Load(ExperimentHost host, string emitted, string name)
    {
        try
        {
            return host.Load(emitted, name);
        }
        catch (EmittedCodeException exception)
        {
            var path = Path.Combine(Path.GetTempPath(), $"cond-emitted-{name}-{Environment.ProcessId}.cs");
            File.WriteAllText(path, emitted);
            throw new CommandFailure(HostDiagnostics.InternalCompilerError(path, 0, 0, exception.Message.Trim()));
        }
    }

    public void Dispose() => Loaded.Dispose();
}
