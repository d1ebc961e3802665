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

    /// <summary>Whether the input and target buffers hold a mini-batch rather than every sample.</summary>
    private bool buffersHoldBatch;
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

        model = initialParameters is null
            ? FeedForwardModel.Create(device, modelSpec, seed, dataset.Count)
            : FeedForwardModel.FromParameters(device, modelSpec, initialParameters, dataset.Count, seed);
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
            ClassLabels.Validate(dataset.Targets, model.OutputSize);
        }

        inputs = device.Allocate(dataset.Count * dataset.Dimension);
        targets = device.Allocate(dataset.Count);
        outputGradient = device.Allocate(dataset.Count * model.OutputSize);
        device.Upload(dataset.Inputs, inputs);
        device.Upload(dataset.Targets, targets);
        optimizer = OptimizerFactory.Create(device, model.Parameters, training.Optimizer);
        Sampler = training.Optimizer.BatchSize > 0 ? new BatchSampler(seed, dataset.Count, training.Optimizer.BatchSize) : null;
        if (Sampler is not null)
        {
            BatchInputs = new float[Sampler.BatchSize * dataset.Dimension];
            BatchTargets = new float[Sampler.BatchSize];
        }

        // Before the Observer, which records step 0: a report reading the folder mid-run then already knows the layers.
        context.Sink.DescribeModel(modelSpec);
        observer = new Observer(context.Sink, model, dataset, observations, crossEntropy is null ? null : Accuracy);
    }

    /// <summary>The model being trained (after <see cref="Run"/>: the trained one); owned by the session.</summary>
    public FeedForwardModel Model => model;

    /// <summary>The training data as materialized for this run.</summary>
    public Dataset Dataset => dataset;

    private BatchSampler? Sampler { get; }

    private float[] BatchInputs { get; } = [];

    private float[] BatchTargets { get; } = [];

    public void Run()
    {
        if (Sampler is null && model.HasDropout)
        {
            RunFullBatchWithDropout();
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
            var output = model.Forward(inputs, n);
            var loss = LossAndGradient(output, n);
            CheckFinite(step, loss);
            var stop = step == total || (training.StopBelowLoss is { } tol && loss < tol);
            if (stop || step == 0 || observer.IsDue(step))
            {
                observer.Record(step, step, loss, final: stop);
            }

            if (stop)
            {
                Finish(step, loss);
                return;
            }

            context.Cancellation.ThrowIfCancellationRequested();
            model.Backward(inputs, outputGradient, n);
            optimizer.Step();
            if ((step & (ProgressCheckInterval - 1)) == 0)
            {
                Report(step, loss, force: false);
            }
        }
    }

    /// <summary>
    /// GD and Adam with dropout: the loss observed at step t is an evaluation pass (dropout off), so it takes its own
    /// forward pass, run only where something needs it (an observation, the stop rule, the end); update t+1 then takes a
    /// training pass with the masks of step t. Progress shows the training pass's loss, as with SGD's batch loss.
    /// </summary>
    private void RunFullBatchWithDropout()
    {
        var total = training.Length;
        var n = dataset.Count;
        var lastLoss = double.NaN;
        for (long step = 0; ; step++)
        {
            var final = step == total;
            var due = step == 0 || observer.IsDue(step);
            if (final || due || training.StopBelowLoss is not null)
            {
                var loss = LossAndGradient(model.Forward(inputs, n), n);
                CheckFinite(step, loss);
                final |= training.StopBelowLoss is { } tol && loss < tol;
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
            var output = model.TrainingForward(inputs, n, step);
            lastLoss = LossAndGradient(output, n);
            CheckFinite(step, lastLoss);
            model.Backward(inputs, outputGradient, n);
            optimizer.Step();
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
            var final = unit == total;
            var due = unit == 0 || observer.IsDue(unit);
            if (final || due || training.StopBelowLoss is not null)
            {
                var loss = FullLoss();
                CheckFinite(unit, loss);
                final |= training.StopBelowLoss is { } tol && loss < tol;
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
                optimizer.Step();
                lastLoss = batchLoss;
            }

            if (unit % Math.Max(1, ProgressCheckInterval / stepsPerUnit) == 0)
            {
                Report(unit, lastLoss, force: false);
            }
        }
    }

    /// <summary>The loss on every training sample at the current parameters (the batch buffers are refilled after).</summary>
    private double FullLoss() => LossAndGradient(ForwardAllRows(), dataset.Count);

    /// <summary>
    /// An evaluation pass over every training sample. The device buffers hold all of them from the start; only a
    /// mini-batch (<see cref="Gather"/>) replaces them, so they are uploaded again only after one.
    /// </summary>
    private DeviceBuffer ForwardAllRows()
    {
        if (buffersHoldBatch)
        {
            device.Upload(dataset.Inputs, inputs);
            device.Upload(dataset.Targets, targets);
            buffersHoldBatch = false;
        }

        return model.Forward(inputs, dataset.Count);
    }

    /// <summary>
    /// The fraction of all training samples whose largest output is their class, at the current parameters: a forward pass
    /// of the whole data (the batch buffers are refilled after). It recomputes the activations a following backward pass
    /// reads with the same inputs and parameters, so it changes no result.
    /// </summary>
    private double Accuracy() =>
        (double)crossEntropy!.CountCorrect(ForwardAllRows(), targets, dataset.Count, model.OutputSize) / dataset.Count;

    /// <summary>The declared loss of <paramref name="output"/> against the first <paramref name="rows"/> targets; writes its gradient.</summary>
    private double LossAndGradient(DeviceBuffer output, int rows) =>
        crossEntropy is null
            ? device.MseLossAndGradient(output, targets, outputGradient, rows)
            : crossEntropy.SoftmaxCrossEntropy(output, targets, outputGradient, rows, model.OutputSize);

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
        buffersHoldBatch = true;
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
