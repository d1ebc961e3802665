using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Training;

namespace CondensationDsl.Runtime.Reduction;

/// <summary>A fine-tuned reduced network: its loss curve, predictions and loss on the data, and its parameters.</summary>
internal sealed record FineTuned(LossCurveSink Curve, Evaluation Evaluation, IReadOnlyDictionary<string, double[]> Parameters, long Steps);

/// <summary>Trains a reduced network on briefly (SCIENCE.md §3 row 7.3), with the training loop of the main run.</summary>
internal static class FineTuning
{
    // The loss is recorded at about this many steps (plus step 0 and the last): enough for a curve, bounded for long runs.
    private const long CurvePoints = 1000;

    /// <summary>
    /// Trains <paramref name="network"/> from its reduced parameters with <paramref name="training"/>'s optimizer, a fresh
    /// one (no moment estimates carried over: the parameters changed under them), on the run's data and seed (the same
    /// points, and for sgd the same batch stream a run with this seed draws).
    /// </summary>
    /// <remarks>
    /// The session reports to a <see cref="LossCurveSink"/>, not to the run's sink: its steps restart at 0 and must not mix
    /// with the main training's metrics rows. No progress is reported: a progress bar that restarts would read as a second
    /// run. Cancellation is the run's, so Ctrl-C stops fine-tuning too.
    /// </remarks>
    public static FineTuned Run(RunContext context, ReducedNetwork network, DataSpec data, TrainingSpec training)
    {
        var curve = new LossCurveSink();

        // The seed as RunContext stores it (a double); (long) first so seeds read from negative values round-trip.
        var seed = new Dictionary<string, double>(StringComparer.Ordinal) { ["seed"] = (long)context.Seed };
        var fineContext = new RunContext(context.Device, seed, curve, null, context.Cancellation);
        var interval = Math.Max(1, (training.Length + CurvePoints - 1) / CurvePoints);
        ObservationSpec[] observations = [new(new EveryScheduleSpec(interval), [new LossMeasure()])];
        using var session = new TrainingSession(fineContext, network.Spec, data, training, observations, network.Parameters);
        session.Run();
        var evaluation = Evaluation.Of(context.Device, session.Model, session.Dataset);
        var parameters = session.Model.Parameters.ToDictionary(p => p.Name, p => session.Model.ReadParameter(p.Name), StringComparer.Ordinal);
        return new FineTuned(curve, evaluation, parameters, curve.Rows[^1].Step);
    }
}
