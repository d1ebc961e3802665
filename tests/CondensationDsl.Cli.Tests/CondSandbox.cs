using System.Diagnostics;
using System.Text.Json;

namespace CondensationDsl.Cli.Tests;

/// <summary>What one `cond` process did.</summary>
public sealed record CondResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// The plumbing of the end-to-end tests: a private temp folder per test class (its own COND_CACHE_DIR, TMPDIR and
/// working directory, so no test touches ~/.cache or the repository), and the real `cond` run as a child process
/// (`dotnet cond.dll`, the Cli project's output copied next to the test assembly). Used as an xunit class fixture.
/// </summary>
public sealed class CondSandbox : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private int counter;

    public CondSandbox()
    {
        Root = Directory.CreateTempSubdirectory("cond-cli-tests-").FullName;
        CacheDirectory = Path.Combine(Root, "cache");
        Directory.CreateDirectory(Path.Combine(Root, "tmp"));
    }

    /// <summary>The class's temp folder; the working directory of every `cond` it runs.</summary>
    public string Root { get; }

    /// <summary>The COND_CACHE_DIR of every run (unless a run names another).</summary>
    public string CacheDirectory { get; }

    public static string CondDll { get; } = Path.Combine(AppContext.BaseDirectory, "cond.dll");

    /// <summary>The folder holding CondensationDsl.sln, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string QuickExample => Path.Combine(RepositoryRoot, "examples", "fig1_relu_1d_quick.cond");

    /// <summary>A fresh, not yet existing path under <see cref="Root"/> (for -o folders).</summary>
    public string NewPath(string name) => Path.Combine(Root, $"{name}-{Interlocked.Increment(ref counter)}");

    /// <summary>Writes a .cond file under <see cref="Root"/> and returns its full path.</summary>
    public string WriteCond(string name, string text)
    {
        var path = Path.Combine(Root, $"{name}-{Interlocked.Increment(ref counter)}.cond");
        File.WriteAllText(path, text);
        return path;
    }

    public CondResult Run(params string[] arguments) => RunAsync(arguments).GetAwaiter().GetResult();

    public Task<CondResult> RunAsync(params string[] arguments) => RunAsync(arguments, CacheDirectory);

    /// <summary>As <see cref="Run(string[])"/>, for a command known to take longer than the usual limit (all the examples).</summary>
    public CondResult Run(TimeSpan limit, params string[] arguments) => RunAsync(arguments, CacheDirectory, limit: limit).GetAwaiter().GetResult();

    /// <summary>
    /// Runs `dotnet cond.dll arguments...` with stdout/stderr captured (so output is redirected, never a TTY);
    /// <paramref name="whileRunning"/>, if given, is called with the started process (to signal it).
    /// </summary>
    public async Task<CondResult> RunAsync(IReadOnlyList<string> arguments, string cacheDirectory, Func<Process, Task>? whileRunning = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CondDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["COND_CACHE_DIR"] = cacheDirectory;
        start.Environment["TMPDIR"] = Path.Combine(Root, "tmp");
        start.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit ?? Timeout);
        try
        {
            if (whileRunning is not null)
            {
                await whileRunning(process);
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cond {string.Join(' ', arguments)} ran longer than {limit ?? Timeout}.");
        }

        return new CondResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>run.json of a run folder.</summary>
    public static JsonElement ReadRunJson(string runDirectory)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDirectory, "run.json")));
        return document.RootElement.Clone();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The dotnet that runs the tests (DOTNET_HOST_PATH, set by the SDK), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CondensationDsl.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No CondensationDsl.sln above {AppContext.BaseDirectory}.");
    }
}
