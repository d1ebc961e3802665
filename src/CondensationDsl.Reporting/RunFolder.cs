using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting;

/// <summary>
/// One run's result folder (DESIGN.md §6): experiment.cond, Experiment.cs, run.json, model.json, metrics.csv and arrays/*.npy.
/// Whole files are replaced atomically; metrics.csv grows by complete rows; run.json is rewritten at every status change and,
/// at most once per <see cref="RunJsonInterval"/>, after a metrics row. Thread-safe: a Ctrl-C handler may call
/// <see cref="Fail"/> while the training thread appends rows.
/// </summary>
public sealed class RunFolder : IRunSink, IDisposable
{
    public const string SourceFileName = "experiment.cond";
    public const string EmittedFileName = "Experiment.cs";
    public const string RunJsonFileName = "run.json";
    public const string MetricsFileName = "metrics.csv";
    public const string ArraysFolderName = "arrays";

    private readonly object gate = new();
    private readonly TimeProvider clock;
    private readonly Stopwatch sinceRunJson = new();
    private MetricsCsvWriter? metrics;
    private RunInfo? info;
    private DateTimeOffset? start;
    private DateTimeOffset? end;
    private RunStatus status = RunStatus.Running;
    private string? message;
    private long? lastStep;
    private long stepsCompleted;
    private long rows;
    private bool finished;
    private readonly List<Runtime.Program.DivergenceRetry> retries = [];

    private RunFolder(string directory, string experiment, TimeProvider clock)
    {
        Directory = directory;
        Experiment = experiment;
        this.clock = clock;
        System.IO.Directory.CreateDirectory(directory);
    }

    /// <summary>The run folder's full path.</summary>
    public string Directory { get; }

    public string Experiment { get; }

    /// <summary>The folder's name (the run id when the folder was created by <see cref="Create"/>).</summary>
    public string RunId => Path.GetFileName(Directory);

    public RunStatus Status
    {
        get
        {
            lock (gate)
            {
                return status;
            }
        }
    }

    /// <summary>The least time between two run.json rewrites caused by metrics rows (status changes always rewrite).</summary>
    public TimeSpan RunJsonInterval { get; set; } = TimeSpan.FromSeconds(2);

    public string MetricsPath => Path.Combine(Directory, MetricsFileName);

    public string RunJsonPath => Path.Combine(Directory, RunJsonFileName);

    public string ArraysDirectory => Path.Combine(Directory, ArraysFolderName);

    /// <summary>A new folder &lt;outputRoot&gt;/&lt;experiment&gt;/&lt;run-id&gt;; run-id = UTC yyyyMMdd-HHmmss plus a random suffix.</summary>
    public static RunFolder Create(string experiment, string outputRoot, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experiment);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputRoot);
        clock ??= TimeProvider.System;
        var parent = Path.GetFullPath(Path.Combine(outputRoot, SafeName(experiment)));
        System.IO.Directory.CreateDirectory(parent);
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);

        // The suffix keeps two runs started in the same second (a sweep, parallel shells) apart; retry on the rare clash.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var candidate = Path.Combine(parent, $"{stamp}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}");
            if (!System.IO.Directory.Exists(candidate))
            {
                return new RunFolder(candidate, experiment, clock);
            }
        }

        throw new IOException($"Could not find a free run folder name under {parent}.");
    }

    /// <summary>
    /// A run folder at a directory the user chose (`-o dir`); created when missing. When it holds an earlier run (it has a
    /// run.json), that run's outputs are removed first — arrays/, figures/ and the result files a run may or may not
    /// write — so no snapshot, figure or error of the old run can pass for the new one's; other files are left alone.
    /// </summary>
    public static RunFolder At(string directory, string experiment, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(experiment);
        var full = Path.GetFullPath(directory);
        if (File.Exists(Path.Combine(full, RunJsonFileName)))
        {
            RemoveEarlierRun(full);
        }

        return new RunFolder(full, experiment, clock ?? TimeProvider.System);
    }

    /// <summary>Written only when a run fails for a reason that is not the experiment's: the full exception.</summary>
    public const string ErrorFileName = "error.txt";

    /// <summary>Written only when the figures or report of a finished run could not be made.</summary>
    public const string ReportErrorFileName = "report-error.txt";

    private static void RemoveEarlierRun(string directory)
    {
        foreach (var folder in new[] { ArraysFolderName, Figures.FigureRenderer.FiguresFolderName })
        {
            var path = Path.Combine(directory, folder);
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }

        foreach (var file in new[] { Report.ExpectationsFile.FileName, ModelFile.FileName, Report.ReductionFile.FileName, Report.EmbeddingFile.FileName, Report.HtmlReport.FileName, ErrorFileName, ReportErrorFileName })
        {
            File.Delete(Path.Combine(directory, file));
        }
    }

    /// <summary>Copies the experiment's source text to experiment.cond.</summary>
    public void WriteSource(string text) => AtomicFile.WriteAllText(Path.Combine(Directory, SourceFileName), text);

    /// <summary>Saves the emitted C# program as Experiment.cs.</summary>
    public void WriteEmitted(string csharp) => AtomicFile.WriteAllText(Path.Combine(Directory, EmittedFileName), csharp);

    /// <summary>Records the start time and environment; run.json appears with status "running".</summary>
    public void Start(RunInfo runInfo)
    {
        ArgumentNullException.ThrowIfNull(runInfo);
        lock (gate)
        {
            info = runInfo.GitCommit is null ? runInfo with { GitCommit = GitCommit.Find(Environment.CurrentDirectory) } : runInfo;
            start = clock.GetUtcNow();
            status = RunStatus.Running;
            WriteRunJson();
        }
    }

    /// <summary>
    /// Replaces the recorded parameters (the program resolves them while it runs) and rewrites run.json;
    /// <paramref name="words"/> names the choice parameters' words (see <see cref="RunInfo.ParameterWords"/>).
    /// </summary>
    public void SetParameters(IReadOnlyDictionary<string, double> parameters, IReadOnlyDictionary<string, string>? words = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        lock (gate)
        {
            var current = info ?? new RunInfo(string.Empty, string.Empty, null, parameters);
            info = current with
            {
                Parameters = new Dictionary<string, double>(parameters, StringComparer.Ordinal),
                ParameterWords = new Dictionary<string, string>(words ?? current.ParameterWords, StringComparer.Ordinal),
            };
            WriteRunJson();
        }
    }

    /// <summary>Replaces the recorded seed (known once the program has read it) and rewrites run.json.</summary>
    public void SetSeed(ulong seed)
    {
        lock (gate)
        {
            info = (info ?? new RunInfo(string.Empty, string.Empty, null, new Dictionary<string, double>())) with { Seed = seed };
            WriteRunJson();
        }
    }

    /// <summary>Records the start-up time (see <see cref="RunInfo.StartupSeconds"/>) once it is known, and rewrites run.json.</summary>
    public void SetStartupSeconds(double seconds)
    {
        lock (gate)
        {
            info = (info ?? new RunInfo(string.Empty, string.Empty, null, new Dictionary<string, double>())) with { StartupSeconds = seconds };
            WriteRunJson();
        }
    }

    /// <summary>The run finished normally.</summary>
    public void Complete() => Finish(RunStatus.Completed, null);

    /// <summary>The run stopped early: failed, interrupted or diverged, with a message for the user.</summary>
    public void Fail(RunStatus failure, string message)
    {
        if (failure is RunStatus.Running or RunStatus.Completed)
        {
            throw new ArgumentException($"Fail needs a failure status, not {failure}.", nameof(failure));
        }

        Finish(failure, message);
    }

    /// <summary>
    /// Records training progress for run.json's stepsCompleted (observations may be sparser than steps). Cheap enough to call
    /// on every progress report: run.json is rewritten at most once per <see cref="RunJsonInterval"/>.
    /// </summary>
    public void UpdateProgress(long steps)
    {
        lock (gate)
        {
            stepsCompleted = Math.Max(stepsCompleted, steps);
            if (!finished && (!sinceRunJson.IsRunning || sinceRunJson.Elapsed >= RunJsonInterval))
            {
                WriteRunJson();
            }
        }
    }

    public void BeginMetrics(IReadOnlyList<string> columns)
    {
        lock (gate)
        {
            if (metrics is not null)
            {
                throw new InvalidOperationException("BeginMetrics was already called for this run.");
            }

            metrics = new MetricsCsvWriter(MetricsPath, columns);
        }
    }

    public void AppendMetrics(long step, double epoch, IReadOnlyList<double> values)
    {
        lock (gate)
        {
            ThrowIfFinished();
            var writer = metrics ?? throw new InvalidOperationException("BeginMetrics must be called before AppendMetrics.");
            writer.Append(step, epoch, values);
            lastStep = step;
            stepsCompleted = Math.Max(stepsCompleted, step);
            rows++;
            if (!sinceRunJson.IsRunning || sinceRunJson.Elapsed >= RunJsonInterval)
            {
                WriteRunJson();
            }
        }
    }

    public void WriteArray(string name, IReadOnlyList<int> shape, ReadOnlySpan<double> data)
    {
        if (string.IsNullOrEmpty(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) || name.StartsWith('.'))
        {
            throw new ArgumentException($"Array name '{name}' must be ASCII letters, digits, '.', '_' or '-' (and not start with '.').", nameof(name));
        }

        var bytes = Npy.Encode(shape, data);
        System.IO.Directory.CreateDirectory(ArraysDirectory);
        AtomicFile.WriteAllBytes(Path.Combine(ArraysDirectory, name + ".npy"), bytes);
    }

    /// <summary>
    /// `on divergence halve lr, retry N`: the failed attempt's metrics.csv, arrays and figures are removed (the next
    /// attempt writes them again from step 0), and run.json lists the retry under "retries".
    /// </summary>
    public void RestartAfterDivergence(Runtime.Program.DivergenceRetry retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        lock (gate)
        {
            ThrowIfFinished();
            metrics?.Dispose();
            metrics = null;
            File.Delete(MetricsPath);
            foreach (var folder in new[] { ArraysDirectory, Path.Combine(Directory, Figures.FigureRenderer.FiguresFolderName) })
            {
                if (System.IO.Directory.Exists(folder))
                {
                    System.IO.Directory.Delete(folder, recursive: true);
                }
            }

            lastStep = null;
            stepsCompleted = 0;
            rows = 0;
            retries.Add(retry);
            WriteRunJson();
        }
    }

    /// <summary>Writes model.json: the layers with each activation's multiplicity p and 2p bound (see <see cref="ModelFile"/>).</summary>
    public void DescribeModel(ModelSpec model) => ModelFile.Write(Directory, ModelDescription.From(model));

    /// <summary>
    /// Writes reduction.json (atomically replaced: the second call, after fine-tuning, completes the first; see
    /// <see cref="Report.ReductionFile"/>).
    /// </summary>
    public void RecordReduction(Runtime.Reduction.ReductionResult result) => Report.ReductionFile.Write(Directory, result);

    /// <summary>Writes embedding.json (atomically replaced; see <see cref="Report.EmbeddingFile"/>).</summary>
    public void RecordEmbedding(Runtime.Embedding.EmbeddingResult result) => Report.EmbeddingFile.Write(Directory, result);

    /// <summary>Closes metrics.csv. A run that never reported its end is recorded as interrupted.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (!finished && start is not null)
            {
                FinishLocked(RunStatus.Interrupted, "The run ended without reporting a result.");
            }

            metrics?.Dispose();
        }
    }

    private void Finish(RunStatus final, string? text)
    {
        lock (gate)
        {
            ThrowIfFinished();
            FinishLocked(final, text);
        }
    }

    private void FinishLocked(RunStatus final, string? text)
    {
        status = final;
        message = text;
        end = clock.GetUtcNow();
        finished = true;
        WriteRunJson();
    }

    private void ThrowIfFinished()
    {
        if (finished)
        {
            throw new InvalidOperationException($"The run has already ended ({status.ToString().ToLowerInvariant()}).");
        }
    }

    private void WriteRunJson()
    {
        var now = clock.GetUtcNow();
        var wall = start is null ? TimeSpan.Zero : (end ?? now) - start.Value;
        var state = new RunState(Experiment, RunId, info, start, end, status, message, stepsCompleted, lastStep, rows, wall, [.. retries]);
        AtomicFile.WriteAllText(RunJsonPath, RunJson.Serialize(state));
        sinceRunJson.Restart();
    }

    /// <summary>The experiment name as a folder name: characters a file system may reject become '_'.</summary>
    private static string SafeName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string(name.Select(c => invalid.Contains(c) || c == Path.DirectorySeparatorChar || c == Path.AltDirectorySeparatorChar ? '_' : c).ToArray());
        return safe is "." or ".." ? "_" : safe;
    }
}
