using CondensationDsl.Runtime.Training;

namespace CondensationDsl.Runtime.Program;

/// <summary>The training loop an emitted program calls.</summary>
public static class Trainer
{
    /// <summary>
    /// Builds the model on the context's device, trains it on <paramref name="data"/>, and records every observation
    /// into the context's sink as it falls due (step 0 before training, and the final step always).
    /// Throws <see cref="TrainingDivergedException"/> on a NaN/Inf loss and OperationCanceledException on cancellation;
    /// rows recorded before either remain in the sink.
    /// </summary>
    /// <remarks>
    /// Steps are counted in <see cref="TrainingSpec.Unit"/>: schedules, array names (step&lt;N&gt;) and the stop rule use
    /// that count. The sink's "step" column is the number of optimizer updates and "epoch" the epochs completed; for
    /// full-batch optimizers both equal the counted step. The loss of a row is the full-data loss at that row's parameters.
    /// </remarks>
    public static void Run(RunContext context, ModelSpec model, DataSpec data, TrainingSpec training, IReadOnlyList<ObservationSpec> observations)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(observations);
        using var session = new TrainingSession(context, model, data, training, observations);
        session.Run();
    }
}
