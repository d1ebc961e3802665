namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// Batch normalization (<see cref="IBatchNormDevice"/>): a <see cref="BatchNormJob"/> split over channels, so every
/// thread count gives the same bits. Statistics and parameter gradients are float64 sums (one pass over the data each),
/// the elementwise passes float32 vectors.
/// </summary>
public sealed unsafe partial class CpuDevice : IBatchNormDevice
{
    private readonly BatchNormJob batchNormJob = new();

    public void BatchNormForwardTraining(
        BatchNormShape shape, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer output,
        DeviceBuffer savedMean, DeviceBuffer savedInverseStd, DeviceBuffer runningMean, DeviceBuffer runningVariance,
        float momentum = BatchNormShape.DefaultMomentum, float epsilon = BatchNormShape.DefaultEpsilon)
    {
        shape.ValidateForTraining();
        BatchNormShape.ValidateHyperParameters(momentum, epsilon);
        var x = Activations(shape, input, nameof(input));
        var y = Activations(shape, output, nameof(output));
        batchNormJob.SetForwardTraining(
            shape, x, PerChannel(shape, gamma, nameof(gamma)), PerChannel(shape, beta, nameof(beta)), y,
            PerChannel(shape, savedMean, nameof(savedMean)), PerChannel(shape, savedInverseStd, nameof(savedInverseStd)),
            PerChannel(shape, runningMean, nameof(runningMean)), PerChannel(shape, runningVariance, nameof(runningVariance)),
            momentum, epsilon);
        RunBatchNorm(shape, passes: 2);
    }

    public void BatchNormForwardInference(
        BatchNormShape shape, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runningMean,
        DeviceBuffer runningVariance, DeviceBuffer output, float epsilon = BatchNormShape.DefaultEpsilon)
    {
        shape.Validate();
        BatchNormShape.ValidateHyperParameters(BatchNormShape.DefaultMomentum, epsilon);
        var x = Activations(shape, input, nameof(input));
        var y = Activations(shape, output, nameof(output));
        batchNormJob.SetForwardInference(
            shape, x, PerChannel(shape, gamma, nameof(gamma)), PerChannel(shape, beta, nameof(beta)),
            PerChannel(shape, runningMean, nameof(runningMean)), PerChannel(shape, runningVariance, nameof(runningVariance)), y, epsilon);
        RunBatchNorm(shape, passes: 1);
    }

    public void BatchNormBackward(
        BatchNormShape shape, DeviceBuffer outputGradient, DeviceBuffer input, DeviceBuffer gamma, DeviceBuffer savedMean,
        DeviceBuffer savedInverseStd, DeviceBuffer inputGradient, DeviceBuffer gammaGradient, DeviceBuffer betaGradient)
    {
        shape.Validate();
        var dy = Activations(shape, outputGradient, nameof(outputGradient));
        var x = Activations(shape, input, nameof(input));
        var dx = Activations(shape, inputGradient, nameof(inputGradient));
        batchNormJob.SetBackward(
            shape, dy, x, PerChannel(shape, gamma, nameof(gamma)), PerChannel(shape, savedMean, nameof(savedMean)),
            PerChannel(shape, savedInverseStd, nameof(savedInverseStd)), dx,
            PerChannel(shape, gammaGradient, nameof(gammaGradient)), PerChannel(shape, betaGradient, nameof(betaGradient)));
        RunBatchNorm(shape, passes: 4);
    }

    /// <summary>Runs the job; <paramref name="passes"/> weighs the work (reads of the activations) for the threshold.</summary>
    private void RunBatchNorm(BatchNormShape shape, int passes) =>
        pool.Run(batchNormJob, PartsFor((long)passes * shape.Length, batchNormJob.Units));

    private float* Activations(BatchNormShape shape, DeviceBuffer buffer, string name)
    {
        var own = Own(buffer);
        Require(own, shape.Length, name);
        return own.Pointer;
    }

    private float* PerChannel(BatchNormShape shape, DeviceBuffer buffer, string name)
    {
        var own = Own(buffer);
        Require(own, shape.Channels, name);
        return own.Pointer;
    }
}
