using System.Diagnostics;
using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Observation;
using CondensationDsl.Runtime.Optimizers;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Training;

/// <summary>
/// One training run: data, model and optimizer on the device, the loop, observations and progress.
/// "Unit" below is the counted step of <see cref="TrainingSpec.Unit"/> (what schedules and `expect at` count);
/// "step" is one optimizer update. For full-batch optimizers the two coincide.
/// </summary>
internal sealed class TrainingSession : IDisposable
{
    // The stopwatch is read every this many updates: cheap enough for microsecond steps, often enough for ~10 reports/s.
    private const int ProgressCheckInterval = 64;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    private readonly RunContext context;
    private readonly IDevice device;
    private readonly TrainingSpec training;
    private readonly Dataset dataset;
    private readonly FeedForwardModel model;
    private readonly IOptimizer optimizer;
    private readonly Observer observer;
    private readonly DeviceBuffer inputs;
    private readonly DeviceBuffer targets;
    private readonly DeviceBuffer outputGradient;

    /// <summary>The device's cross-entropy kernels when the loss is cross-entropy; null for mse.</summary>
    private readonly ICrossEntropyDevice? crossEntropy;
    private readonly ModelEvaluation evaluation;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan? lastReport;

    /// <param name="initialParameters">
    /// When given, the model starts from these values (every parameter by name, see <see cref="FeedForwardModel.FromParameters"/>)
    /// instead of its drawn initialization: fine-tuning a reduced network.
    /// </param>
    public TrainingSession(
        RunContext context,
        ModelSpec modelSpec,
        DataSpec data,
        TrainingSpec training,
        IReadOnlyList<ObservationSpec> observations,
        IReadOnlyDictionary<string, double[]>? initialParameters = null)
    {
        this.context = context;
        device = context.Device;
        this.training = training;
        crossEntropy = training.Loss == LossKind.CrossEntropy
            ? device as ICrossEntropyDevice ?? throw new NotSupportedException($"Device {device.Name} has no cross-entropy kernels.")
            : null;

        if (training.Length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(training), training.Length, "The training length must be ≥ 0.");
        }

        var seed = context.Seed;
        dataset = Dataset.Materialize(data, seed);
        if (modelSpec.InputSize != dataset.Dimension)
        {
            throw new ArgumentException($"Model '{modelSpec.Name}' takes {modelSpec.InputSize} inputs but data '{data.Name}' has dimension {dataset.Dimension}.");
        }

        var capacity = Capacity(modelSpec, dataset.Count, training.Optimizer.BatchSize);
        model = initialParameters is null
            ? FeedForwardModel.Create(device, modelSpec, seed, capacity)
            : FeedForwardModel.FromParameters(device, modelSpec, initialParameters, capacity, seed);
        if (crossEntropy is null && model.OutputSize != 1)
        {
            throw new ArgumentException($"The mse loss compares one output with a scalar target; model '{modelSpec.Name}' has {model.OutputSize} outputs.");
        }

        if (crossEntropy is not null)
        {
            if (model.OutputSize < 2)
            {
                throw new ArgumentException($"The cross-entropy loss needs one output per class (at least 2); model '{modelSpec.Name}' has {model.OutputSize}.");
            }

            // Targets are class indices: a fraction or one beyond the model's classes is a mistake in the data, named here.
            ClassLabels.Validate(dataset.Targets, model.OutputSize, dataset.Name);
        }

        inputs = device.Allocate(checked(capacity * dataset.Dimension));
        targets = device.Allocate(capacity);
        outputGradient = device.Allocate(checked(capacity * model.OutputSize));
        evaluation = new ModelEvaluation(device, model, crossEntropy, data, dataset, seed, inputs, targets, outputGradient, capacity);
        if (evaluation.TrainingDataResident)
        {
            evaluation.EnsureTrainingData();
        }

        optimizer = OptimizerFactory.Create(device, model.Parameters, training.Optimizer);
        Sampler = training.Optimizer.BatchSize > 0 ? new BatchSampler(seed, dataset.Count, training.Optimizer.BatchSize) : null;
        if (Sampler is not null)
        {
            BatchInputs = new float[Sampler.BatchSize * dataset.Dimension];
            BatchTargets = new float[Sampler.BatchSize];
        }

        // Before the Observer, which records step 0: a report reading the folder mid-run then already knows the layers.
        context.Sink.DescribeModel(modelSpec);
        observer = new Observer(context.Sink, model, dataset, observations, evaluation);
    }

    /// <summary>
    /// Rows the model is allocated for. Full-batch training passes every sample at once; mini-batch training needs a
    /// batch, and evaluation passes take as many rows as fit <see cref="ActivationBudgetFloats"/> (every sample when the
    /// data is small, so evaluating is one pass with the data left on the device, as in full-batch runs).
    /// </summary>
    internal static int Capacity(ModelSpec model, int samples, int batch)
    {
        if (batch <= 0)
        {
            return samples;
        }

        var fitting = ActivationBudgetFloats / Math.Max(1, FeedForwardModel.ActivationFloatsPerRow(model));
        return (int)Math.Min(samples, Math.Max(Math.Min(batch, samples), fitting));
    }

    /// <summary>
    /// Activation memory a mini-batch run's evaluation passes may take: 2^22 floats (16 MB), about what the caches hold.
    /// Chunks larger than that are slower per row, not faster: figure 3's CNN evaluates 60 000 images at 12.8 µs a row in
    /// chunks of 128 and at 16–18 µs in chunks of 668 (its 25 088 activations a row then stream from memory between the
    /// layers). Small data sets still fit whole, and stay on the device.
    /// </summary>
    internal const long ActivationBudgetFloats = 1L << 22;

    /// <summary>The model being trained (after <see cref="Run"/>: the trained one); owned by the session.</summary>
    public FeedForwardModel Model => model;

    /// <summary>The training data as materialized for this run.</summary>
    public Dataset Dataset => dataset;

    private BatchSampler? Sampler { get; }

    private float[] BatchInputs { get; } = [];

    private float[] BatchTargets { get; } = [];

    public void Run()
    {
        if (Sampler is null && model.TrainingDiffersFromEvaluation)
        {
            RunFullBatchWithTrainingPasses();
        }
        else if (Sampler is null)
        {
            RunFullBatch();
        }
        else
        {
            RunMiniBatch(Sampler);
        }
    }

    public void Dispose()
    {
        optimizer.Dispose();
        model.Dispose();
        inputs.Dispose();
        targets.Dispose();
        outputGradient.Dispose();
    }

    /// <summary>
    /// GD and Adam: the forward pass at step t gives both the loss observed at t (parameters after t updates) and the
    /// gradient of update t+1, so observing costs no extra pass.
    /// </summary>
    private void RunFullBatch()
    {
        var total = training.Length;
        var n = dataset.Count;
        for (long step = 0; ; step++)
        {
            SetLearningRate(step);
            var output = model.Forward(inputs, n);
            var loss = LossAndGradient(output, n);
            CheckFinite(step, loss);
            // Correct predictions of this pass, counted once and only where something reads them.
            var correct = -1L;
            long Correct() => correct >= 0 ? correct : correct = evaluation.CountCorrect(output, n);
            var stop = step == total || (training.StopBelowLoss is { } tol && loss < tol) || (training.StopAtAccuracy is { } target && (double)Correct() / n >= target);
            if (stop)
            {
                FinalAccuracy = (double)Correct() / n;
            }

            var triggered = observer.HasPendingTrigger && observer.Trigger(step, loss, (double)Correct() / n);
            if (stop || step == 0 || triggered || observer.IsDue(step))
            {
                evaluation.Remember(new Evaluation(loss, Correct(), n));
                observer.Record(step, step, loss, final: stop);
                if (evaluation.Disturbed && !stop)
                {
                    // The observation ran passes of its own (other data, layer outputs): the training pass again, same result.
                    evaluation.EnsureTrainingData();
                    LossAndGradient(model.Forward(inputs, n), n);
                    evaluation.ClearDisturbed();
                }
            }

            if (stop)
            {
                Finish(step, loss);
                return;
            }

            context.Cancellation.ThrowIfCancellationRequested();
            model.Backward(inputs, outputGradient, n);
            Update();
            if ((step & (ProgressCheckInterval - 1)) == 0)
            {
                Report(step, loss, force: false);
            }
        }
    }

    /// <summary>
    /// GD and Adam with dropout or batch normalization: the loss observed at step t is an evaluation pass (dropout off,
    /// batch normalization with its running statistics), so it takes its own
    /// forward pass, run only where something needs it (an observation, the stop rule, the end); update t+1 then takes a
    /// training pass with the masks of step t. Progress shows the training pass's loss, as with SGD's batch loss.
    /// </summary>
    private void RunFullBatchWithTrainingPasses()
    {
        var total = training.Length;
        var n = dataset.Count;
        var lastLoss = double.NaN;
        for (long step = 0; ; step++)
        {
            SetLearningRate(step);
            var final = step == total;
            var due = step == 0 || observer.IsDue(step);
            if (final || due || HasStopRule || observer.HasPendingTrigger)
            {
                var loss = StopRuleMet(step, ref final, ref due);
                if (final || due)
                {
                    observer.Record(step, step, loss, final);
                }

                lastLoss = loss;
            }

            if (final)
            {
                Finish(step, lastLoss);
                return;
            }

            context.Cancellation.ThrowIfCancellationRequested();
            evaluation.EnsureTrainingData();
            var output = model.TrainingForward(inputs, n, step);
            lastLoss = LossAndGradient(output, n);
            CheckFinite(step, lastLoss);
            model.Backward(inputs, outputGradient, n);
            Update();
            if ((step & (ProgressCheckInterval - 1)) == 0)
            {
                Report(step, lastLoss, force: false);
            }
        }
    }

    /// <summary>
    /// SGD: updates on mini-batches; at each counted unit boundary where something needs it (an observation, the stop
    /// rule, the end) the full-data loss is computed by an extra forward pass (an evaluation pass: dropout off). Update s
    /// (0-based, counted over the whole run) uses the dropout masks of step s.
    /// </summary>
    private void RunMiniBatch(BatchSampler sampler)
    {
        var total = training.Length;
        var stepsPerUnit = training.Unit == DurationUnit.Epochs ? sampler.StepsPerEpoch : 1;
        long step = 0;
        var lastLoss = double.NaN;
        for (long unit = 0; ; unit++)
        {
            SetLearningRate(unit);
            var final = unit == total;
            var due = unit == 0 || observer.IsDue(unit);
            if (final || due || HasStopRule || observer.HasPendingTrigger)
            {
                var loss = StopRuleMet(unit, ref final, ref due);
                if (final || due)
                {
                    observer.Record(unit, (double)step / sampler.StepsPerEpoch, loss, final);
                }

                lastLoss = loss;
            }

            if (final)
            {
                Finish(unit, lastLoss);
                return;
            }

            for (var s = 0; s < stepsPerUnit; s++, step++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var batch = sampler.Batch(step);
                Gather(batch);
                var output = model.TrainingForward(inputs, batch.Length, step);
                var batchLoss = LossAndGradient(output, batch.Length);
                CheckFinite(unit, batchLoss);
                model.Backward(inputs, outputGradient, batch.Length);
                Update();
                lastLoss = batchLoss;
            }

            if (unit % Math.Max(1, ProgressCheckInterval / stepsPerUnit) == 0)
            {
                Report(unit, lastLoss, force: false);
            }
        }
    }

    private bool HasStopRule => training.StopBelowLoss is not null || training.StopAtAccuracy is not null;

    /// <summary>
    /// Evaluates the training data (one pass, or chunks, see <see cref="ModelEvaluation"/>), sets <paramref name="final"/>
    /// when the stop rule holds and <paramref name="due"/> when an `observe when` fires; returns the loss. The accuracy is
    /// kept for the end (`until accuracy` is judged on it).
    /// </summary>
    private double StopRuleMet(long unit, ref bool final, ref bool due)
    {
        var result = evaluation.Evaluate(dataset);
        CheckFinite(unit, result.Loss);
        final |= (training.StopBelowLoss is { } tol && result.Loss < tol) || (training.StopAtAccuracy is { } target && result.Accuracy >= target);
        due |= observer.HasPendingTrigger && observer.Trigger(unit, result.Loss, result.Accuracy);
        if (final)
        {
            FinalAccuracy = result.Accuracy;
        }

        return result.Loss;
    }

    /// <summary>The optimizer's rate for counted step <paramref name="unit"/>: the declared rate times the schedule's factor.</summary>
    private void SetLearningRate(long unit)
    {
        if (training.Optimizer.Schedule is { } schedule)
        {
            optimizer.LearningRate = training.Optimizer.LearningRate * schedule.Factor(unit, training.Length);
        }
    }

    /// <summary>One optimizer update; every cached evaluation is then out of date.</summary>
    private void Update()
    {
        optimizer.Step();
        evaluation.ParametersChanged();
    }

    /// <summary>The declared loss of <paramref name="output"/> against the first <paramref name="rows"/> targets; writes its gradient.</summary>
    private double LossAndGradient(DeviceBuffer output, int rows) => evaluation.LossAndGradient(output, rows);

    /// <summary>Copies the batch's samples, in batch order, to the front of the device's input and target buffers.</summary>
    private void Gather(ReadOnlySpan<int> batch)
    {
        var d = dataset.Dimension;
        for (var r = 0; r < batch.Length; r++)
        {
            Array.Copy(dataset.Inputs, batch[r] * d, BatchInputs, r * d, d);
            BatchTargets[r] = dataset.Targets[batch[r]];
        }

        device.Upload(BatchInputs.AsSpan(0, batch.Length * d), inputs);
        device.Upload(BatchTargets.AsSpan(0, batch.Length), targets);
        evaluation.BuffersReplaced();
    }

    private static void CheckFinite(long unit, double loss)
    {
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException(unit, loss);
        }
    }

    /// <summary>The last counted step and its full-data loss: what the stop rule (`until`) is judged on.</summary>
    public long FinalStep { get; private set; }

    /// <inheritdoc cref="FinalStep"/>
    public double FinalLoss { get; private set; } = double.NaN;

    /// <summary>The training accuracy at the last counted step (cross-entropy runs; 0 for mse).</summary>
    public double FinalAccuracy { get; private set; } = double.NaN;

    private void Finish(long unit, double loss)
    {
        FinalStep = unit;
        FinalLoss = loss;
        Report(unit, loss, force: true);
    }

    private void Report(long unit, double loss, bool force)
    {
        if (context.Progress is null)
        {
            return;
        }

        var elapsed = clock.Elapsed;
        if (force || lastReport is not { } last || elapsed - last >= ProgressInterval)
        {
            lastReport = elapsed;
            context.Progress.Report(new TrainingProgress(unit, training.Length, loss, elapsed));
        }
    }
}
