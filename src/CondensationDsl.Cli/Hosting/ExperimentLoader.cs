using System.Reflection;
using System.Runtime.Loader;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Cli.Hosting;

/// <summary>
/// A compiled experiment loaded into its own collectible context, so a process that runs many experiments (tests,
/// sweeps of different files) can unload them. Runtime types resolve to the host's copies, so the program and the host
/// share IExperimentProgram, RunContext and the devices.
/// </summary>
public sealed class LoadedExperiment : IDisposable
{
    private readonly AssemblyLoadContext context;

    private LoadedExperiment(AssemblyLoadContext context, IExperimentProgram program)
    {
        this.context = context;
        Program = program;
    }

    public IExperimentProgram Program { get; }

    public static LoadedExperiment Load(byte[] image, string name)
    {
        var context = new AssemblyLoadContext("cond:" + name, isCollectible: true);
        using var stream = new MemoryStream(image, writable: false);
        var assembly = context.LoadFromStream(stream);
        var programType = assembly.GetExportedTypes()
            .SingleOrDefault(type => typeof(IExperimentProgram).IsAssignableFrom(type) && !type.IsAbstract)
            ?? throw new EmittedCodeException("  the emitted assembly has no public IExperimentProgram type");
        var program = (IExperimentProgram)(Activator.CreateInstance(programType)
            ?? throw new EmittedCodeException("  the emitted program type could not be instantiated"));
        return new LoadedExperiment(context, program);
    }

    public void Dispose() => context.Unload();
}

/// <summary>Emitted source → loaded program, through the on-disk cache.</summary>
public sealed class ExperimentHost(CompileCache cache)
{
    /// <summary>Whether the last <see cref="Load"/> was served from the cache (for timing reports).</summary>
    public bool LastLoadWasCached { get; private set; }

    public LoadedExperiment Load(string source, string name)
    {
        var key = CompileCache.KeyFor(source, ExperimentCompiler.ToolVersion, ExperimentCompiler.RuntimeModuleVersion);
        var image = cache.TryRead(key);
        LastLoadWasCached = image is not null;
        if (image is null)
        {
            image = ExperimentCompiler.Compile(source, "CondExperiment_" + key[..16]);
            cache.TryWrite(key, image);
        }

        return LoadedExperiment.Load(image, name);
    }
}
