using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Runtime.Program;

/// <summary>Where a run's results go. The run folder (Reporting) implements it; tests use an in-memory one.</summary>
public interface IRunSink
{
    /// <summary>Declares the metrics columns once, before the first row ("step" and "epoch" are implicit first columns).</summary>
    void BeginMetrics(IReadOnlyList<string> columns);

    /// <summary>One metrics row; values follow the declared columns, NaN where a measure was not taken at this step.</summary>
    void AppendMetrics(long step, double epoch, IReadOnlyList<double> values);

    /// <summary>Writes arrays/&lt;name&gt;.npy (float64, C order).</summary>
    void WriteArray(string name, IReadOnlyList<int> shape, ReadOnlySpan<double> data);

    /// <summary>
    /// The model being trained, once, before the first observation (the run folder writes model.json from it). A default
    /// no-op, so sinks that do not care about the model need not implement it.
    /// </summary>
    void DescribeModel(ModelSpec model)
    {
    }

    /// <summary>
    /// The result of width reduction after training (`reduce`; the run folder writes reduction.json from it). Called once
    /// right after the reduction and, when the experiment fine-tunes, once more after fine-tuning with the fine-tuning
    /// fields filled in; each call carries everything known so far, so the last one is the whole result. A default no-op,
    /// so sinks that do not care need not implement it.
    /// </summary>
    void RecordReduction(Reduction.ReductionResult result)
    {
    }

    /// <summary>
    /// The embedding check after training (`embed`; the run folder writes embedding.json from it). Called once. A default
    /// no-op, so sinks that do not care need not implement it.
    /// </summary>
    void RecordEmbedding(Embedding.EmbeddingResult result)
    {
    }

    /// <summary>
    /// Training diverged and starts again (`on divergence halve lr, retry N`): forget the failed attempt's rows and arrays,
    /// so the results are the next attempt's, and record the retry. No default: a sink that kept the failed rows would
    /// mix two trainings in one table.
    /// </summary>
    void RestartAfterDivergence(DivergenceRetry retry);
}

/// <summary>Training progress for a progress bar or periodic log lines.</summary>
public readonly record struct TrainingProgress(long Step, long TotalSteps, double Loss, TimeSpan Elapsed);

/// <summary>What the host hands one run of an emitted program: device, parameter values, result sink, progress, cancellation.</summary>
public sealed class RunContext
{
    /// <summary>The seed of a run whose experiment declares no `let seed` and that was started without one.</summary>
    public const double DefaultSeed = 1;

    private readonly IReadOnlyDictionary<string, double> overrides;
    private readonly Dictionary<string, double> resolved = new(StringComparer.Ordinal);

    /// <param name="overrides">Values given by `--set` or by the sweep cell; every other parameter takes its default.</param>
    public RunContext(
        IDevice device,
        IReadOnlyDictionary<string, double> overrides,
        IRunSink sink,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellation)
    {
        Device = device;
        this.overrides = overrides;
        Sink = sink;
        Progress = progress;
        Cancellation = cancellation;
    }

    public IDevice Device { get; }

    public IRunSink Sink { get; }

    public IProgress<TrainingProgress>? Progress { get; }

    public CancellationToken Cancellation { get; }

    /// <summary>Every parameter value the program has read so far, in the order read (for run.json).</summary>
    public IReadOnlyDictionary<string, double> ResolvedParameters => resolved;

    /// <summary>
    /// The value of parameter <paramref name="name"/>: the override when one was given, else <paramref name="defaultValue"/>
    /// (which emitted code computes from the `let` expression). Records the value it returns.
    /// </summary>
    public double ParameterOr(string name, double defaultValue)
    {
        var value = overrides.TryGetValue(name, out var given) ? given : defaultValue;
        resolved[name] = value;
        return value;
    }

    /// <summary>
    /// The value of a choice parameter (`let act = tanh`) as a member of <typeparamref name="TChoice"/>, whose members are
    /// the parameter's words in order: its value is the index of its word (see <see cref="ParameterDeclaration.Choices"/>).
    /// </summary>
    public TChoice ChoiceOr<TChoice>(string name, TChoice defaultValue)
        where TChoice : struct, Enum
    {
        var index = ParameterOr(name, Convert.ToInt32(defaultValue, System.Globalization.CultureInfo.InvariantCulture));
        if (Math.Floor(index) != index || !Enum.IsDefined(typeof(TChoice), (int)index))
        {
            throw new ArgumentOutOfRangeException(name, index, $"{index} is not a choice of parameter {name}.");
        }

        return (TChoice)Enum.ToObject(typeof(TChoice), (int)index);
    }

    /// <summary>The root seed of every random stream of this run (parameter "seed").</summary>
    public ulong Seed => (ulong)(long)(resolved.TryGetValue("seed", out var seed) ? seed : ParameterOr("seed", DefaultSeed));
}

/// <summary>
/// Training declared `until loss &lt; tol` (or `until accuracy &gt;= a`) and reached its length without getting there. Every
/// observation, the final one included, is recorded; the run's result is not what it declared (a phase diagram must not
/// read RelDis from it).
/// </summary>
public sealed class TrainingNotConvergedException : Exception
{
    public TrainingNotConvergedException(long step, double loss, double tolerance)
        : this(step, $"loss < {G4(tolerance)}", $"last loss {G4(loss)}")
    {
    }

    private TrainingNotConvergedException(long step, string goal, string reached)
        : base($"Training ended at step {step} without reaching {goal} ({reached}). Train longer, raise the learning rate, or loosen the until condition.")
    {
        Step = step;
    }

    public long Step { get; }

    /// <summary>`until accuracy &gt;= target` was not met.</summary>
    public static TrainingNotConvergedException Accuracy(long step, double accuracy, double target) =>
        new(step, $"accuracy >= {G4(target)}", $"last accuracy {G4(accuracy)}");

    private static string G4(double value) => value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Training produced a NaN or infinite loss; the run stops and names the step.</summary>
public sealed class TrainingDivergedException(long step, double loss)
    : Exception($"Training diverged at step {step}: the loss became {loss}. Lower the learning rate or the initialization scale.")
{
    public long Step { get; } = step;

    public double Loss { get; } = loss;
}
