using CondensationDsl.Runtime.Reduction;
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

    /// <summary>
    /// Trains and observes exactly as <see cref="Run(RunContext, ModelSpec, DataSpec, TrainingSpec, IReadOnlyList{ObservationSpec})"/>,
    /// then reduces the width of layer <see cref="ReductionSpec.Layer"/> of the trained model (SCIENCE.md §3 row 7.3) on the
    /// same device, measures loss and prediction agreement before and after, optionally fine-tunes the reduced network, and
    /// records it all through <see cref="IRunSink.RecordReduction"/> and arrays reduced.* / finetuned.* /
    /// reduction.finetune_loss (see <see cref="ReductionResult"/> for every quantity).
    /// </summary>
    /// <remarks>
    /// The reduction is checked before training (the layer exists and a dense layer follows it; threshold in (0, 1];
    /// negligible fraction and agreement tolerance ≥ 0), so a mistake there costs no training time. A run stopped during
    /// training (divergence, cancellation) does not reduce.
    /// </remarks>
    public static void Run(RunContext context, ModelSpec model, DataSpec data, TrainingSpec training, IReadOnlyList<ObservationSpec> observations, ReductionSpec reduction)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(reduction);
        ReductionRun.Validate(model, reduction);
        using var session = new TrainingSession(context, model, data, training, observations);
        session.Run();
        context.Cancellation.ThrowIfCancellationRequested();
        ReductionRun.Execute(context, session.Model, session.Dataset, data, reduction);
    }
}
