using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;

namespace CondensationDsl.Runtime.Optimizers;

/// <summary>Adam as torch.optim.Adam computes it (no weight decay): moments start at zero, bias correction counts from step 1.</summary>
public sealed class AdamOptimizer : IOptimizer
{
    private readonly IDevice device;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly DeviceBuffer[] first;
    private readonly DeviceBuffer[] second;
    private readonly float learningRate;
    private readonly float beta1;
    private readonly float beta2;
    private readonly float epsilon;

    public AdamOptimizer(IDevice device, IReadOnlyList<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon)
    {
        this.device = device;
        this.parameters = parameters;
        this.learningRate = (float)learningRate;
        this.beta1 = (float)beta1;
        this.beta2 = (float)beta2;
        this.epsilon = (float)epsilon;
        first = new DeviceBuffer[parameters.Count];
        second = new DeviceBuffer[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            first[i] = device.Allocate(parameters[i].Length);
            second[i] = device.Allocate(parameters[i].Length);
        }
    }

    /// <summary>Updates taken so far.</summary>
    public long Steps { get; private set; }

    public void Step()
    {
        Steps++;
        var hyper = new AdamStepParameters(learningRate, beta1, beta2, epsilon, Steps);
        for (var i = 0; i < parameters.Count; i++)
        {
            device.AdamStep(parameters[i].Value, parameters[i].Gradient, first[i], second[i], hyper, parameters[i].Length);
        }
    }

    public void Dispose()
    {
        foreach (var buffer in first.Concat(second))
        {
            buffer.Dispose();
        }
    }
}
