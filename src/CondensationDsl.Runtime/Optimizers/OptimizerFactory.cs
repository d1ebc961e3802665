using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Optimizers;

public static class OptimizerFactory
{
    /// <summary>
    /// The update rule of <paramref name="spec"/> at its base learning rate (a schedule is applied by the caller through
    /// <see cref="IOptimizer.LearningRate"/>). SGD's batching is the training loop's job. GD and SGD without momentum
    /// and weight decay, and Adam without weight decay, use the plain kernels every device has (bit-identical to before
    /// these options existed); the other options need an <see cref="IOptimizerDevice"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">An unknown spec, or options the device cannot run.</exception>
    public static IOptimizer Create(IDevice device, IReadOnlyList<Parameter> parameters, OptimizerSpec spec) => spec switch
    {
        GdSpec { WeightDecay: 0 } gd => new GradientDescentOptimizer(device, parameters, gd.LearningRate),
        GdSpec gd => new SgdOptimizer(RequireOptimizerDevice(device), parameters, gd.LearningRate, 0, gd.WeightDecay, nesterov: false),
        SgdSpec { Momentum: 0, WeightDecay: 0, Nesterov: false } sgd => new GradientDescentOptimizer(device, parameters, sgd.LearningRate),
        SgdSpec sgd => new SgdOptimizer(RequireOptimizerDevice(device), parameters, sgd.LearningRate, sgd.Momentum, sgd.WeightDecay, sgd.Nesterov),
        AdamSpec adam => new AdamOptimizer(
            device, parameters, adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, new AdamWeightDecay((float)adam.WeightDecay, adam.Decoupled)),
        _ => throw new NotSupportedException($"Optimizer {spec.GetType().Name} is not supported by this runtime."),
    };

    /// <summary><paramref name="device"/> as an <see cref="IOptimizerDevice"/> (every built-in device is one).</summary>
    /// <exception cref="NotSupportedException">It is not one.</exception>
    internal static IOptimizerDevice RequireOptimizerDevice(IDevice device) =>
        device as IOptimizerDevice
        ?? throw new NotSupportedException($"Device {device.Name} has no weight-decay, momentum or AdamW kernels (IOptimizerDevice).");
}
