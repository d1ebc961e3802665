using CondensationDsl.Runtime.Reduction;
using CondensationDsl.Runtime.Training;

namespace CondensationDsl.Runtime.Program;

/// <summary>The training loop an emitted program calls.</summary>
public static class Trainer
{
    /// <summary>
    /// Builds the model on the context's device, trains it on <paramref name="data"/>, and records every observation
    /// into the context's sink as it falls due (step 0 before training, and the final step always).
    /// Throws <see cref="TrainingDivergedException"/> on a NaN/Inf loss, <see cref="TrainingNotConvergedException"/> when
    /// training declared `until loss &lt; tol` and ended without reaching it, and OperationCanceledException on
    /// cancellation; rows recorded before any of them remain in the sink.
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
        using var session = Train(context, model, data, training, observations);
    }

    /// <summary>
    /// One training, retried with half the learning rate after a divergence while <see cref="TrainingSpec.DivergenceRetries"/>
    /// allows; returns the session that completed (its model is the trained one). The last divergence propagates.
    /// </summary>
    private static TrainingSession Train(RunContext context, ModelSpec model, DataSpec data, TrainingSpec training, IReadOnlyList<ObservationSpec> observations)
    {
        var attempt = training;
        for (var retry = 1; ; retry++)
        {
            var session = new TrainingSession(context, model, data, attempt, observations);
            try
            {
                session.Run();
                if (attempt.StopBelowLoss is { } tolerance && !(session.FinalLoss < tolerance))
                {
                    throw new TrainingNotConvergedException(session.FinalStep, session.FinalLoss, tolerance);
                }

                if (attempt.StopAtAccuracy is { } target && !(session.FinalAccuracy >= target))
                {
                    throw TrainingNotConvergedException.Accuracy(session.FinalStep, session.FinalAccuracy, target);
                }

                return session;
            }
            catch (TrainingDivergedException diverged) when (retry <= training.DivergenceRetries)
            {
                session.Dispose();
                var halved = attempt.Optimizer with { LearningRate = attempt.Optimizer.LearningRate / 2 };
                context.Sink.RestartAfterDivergence(
                    new DivergenceRetry(retry, diverged.Step, diverged.Loss, attempt.Optimizer.LearningRate, halved.LearningRate));
                attempt = attempt with { Optimizer = halved };
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Trains and observes exactly as <see cref="Run(RunContext, ModelSpec, DataSpec, TrainingSpec, IReadOnlyList{ObservationSpec})"/>,
    /// then checks the embedding principle on the trained network (`embed`; see <see cref="Embedding.EmbeddingResult"/>) and
    /// records it through <see cref="IRunSink.RecordEmbedding"/>. The check is validated before training; a run stopped during
    /// training does not check.
    /// </summary>
    public static void Run(RunContext context, ModelSpec model, DataSpec data, TrainingSpec training, IReadOnlyList<ObservationSpec> observations, EmbeddingSpec embedding)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(embedding);
        Embedding.EmbeddingRun.Validate(model, embedding);
        using var session = Train(context, model, data, training, observations);
        context.Cancellation.ThrowIfCancellationRequested();
        context.Sink.RecordEmbedding(Embedding.EmbeddingRun.Execute(session.Model, session.Dataset, embedding));
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
        using var session = Train(context, model, data, training, observations);
        context.Cancellation.ThrowIfCancellationRequested();
        ReductionRun.Execute(context, session.Model, session.Dataset, data, reduction);
    }
}
