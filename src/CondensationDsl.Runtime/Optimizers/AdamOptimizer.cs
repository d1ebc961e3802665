using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;

namespace CondensationDsl.Runtime.Optimizers;

/// <summary>
/// Adam as torch.optim.Adam computes it: moments start at zero, bias correction counts from step 1. With weight decay,
/// torch.optim.Adam's L2 (g + λθ) or, when decoupled, torch.optim.AdamW's θ ← θ·(1 − lr·λ) before the step; those need
/// an <see cref="IOptimizerDevice"/>. Without decay the update is the device's plain <see cref="IDevice.AdamStep"/>.
/// </summary>
public sealed class AdamOptimizer : IOptimizer
{
    private readonly IDevice device;
    private readonly IOptimizerDevice? decaying;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly DeviceBuffer[] first;
    private readonly DeviceBuffer[] second;
    private readonly float beta1;
    private readonly float beta2;
    private readonly float epsilon;
    private readonly AdamWeightDecay decay;

    public AdamOptimizer(IDevice device, IReadOnlyList<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon)
        : this(device, parameters, learningRate, beta1, beta2, epsilon, AdamWeightDecay.None)
    {
    }

    /// <exception cref="ArgumentOutOfRangeException">The decay rate is negative.</exception>
    /// <exception cref="NotSupportedException">Weight decay on a device that is not an <see cref="IOptimizerDevice"/>.</exception>
    public AdamOptimizer(
        IDevice device, IReadOnlyList<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon, AdamWeightDecay decay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decay.Rate);
        this.device = device;
        decaying = decay.Rate == 0 ? null : OptimizerFactory.RequireOptimizerDevice(device);
        this.parameters = parameters;
        LearningRate = learningRate;
        this.beta1 = (float)beta1;
        this.beta2 = (float)beta2;
        this.epsilon = (float)epsilon;
        this.decay = decay;
        first = new DeviceBuffer[parameters.Count];
        second = new DeviceBuffer[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            first[i] = device.Allocate(parameters[i].Length);
            second[i] = device.Allocate(parameters[i].Length);
        }
    }

    public double LearningRate { get; set; }

    /// <summary>Updates taken so far.</summary>
    public long Steps { get; private set; }

    public void Step()
    {
        Steps++;
        var hyper = new AdamStepParameters((float)LearningRate, beta1, beta2, epsilon, Steps);
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            if (decaying is null)
            {
                device.AdamStep(parameter.Value, parameter.Gradient, first[i], second[i], hyper, parameter.Length);
            }
            else
            {
                decaying.AdamStep(parameter.Value, parameter.Gradient, first[i], second[i], hyper, decay, parameter.Length);
            }
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
