using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;

namespace CondensationDsl.Runtime.Optimizers;

/// <summary>θ ← θ − lr·∇θ for every parameter (GD on the full batch, SGD on a mini-batch: the caller picks the rows).</summary>
public sealed class GradientDescentOptimizer(IDevice device, IReadOnlyList<Parameter> parameters, double learningRate) : IOptimizer
{
    public double LearningRate { get; set; } = learningRate;

    public void Step()
    {
        var rate = (float)LearningRate;
        foreach (var parameter in parameters)
        {
            device.GradientDescentStep(parameter.Value, parameter.Gradient, rate, parameter.Length);
        }
    }

    public void Dispose()
    {
    }
}
