using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Optimizers;

public static class OptimizerFactory
{
    /// <summary>The update rule of <paramref name="spec"/>; SGD's batching is the training loop's job, its update is GD's.</summary>
    public static IOptimizer Create(IDevice device, IReadOnlyList<Parameter> parameters, OptimizerSpec spec) => spec switch
    {
        GdSpec gd => new GradientDescentOptimizer(device, parameters, gd.LearningRate),
        SgdSpec sgd => new GradientDescentOptimizer(device, parameters, sgd.LearningRate),
        AdamSpec adam => new AdamOptimizer(device, parameters, adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon),
        _ => throw new NotSupportedException($"Optimizer {spec.GetType().Name} is not supported by this runtime."),
    };
}
