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
    public static void Run(RunContext context, ModelSpec model, DataSpec data, TrainingSpec training, IReadOnlyList<ObservationSpec> observations)
    {
        throw new NotImplementedException("Trainer.Run is being implemented.");
    }
}
