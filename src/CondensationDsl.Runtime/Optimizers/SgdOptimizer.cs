using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;

namespace CondensationDsl.Runtime.Optimizers;

/// <summary>
/// torch.optim.SGD with weight decay and momentum (dampening 0): d = g + λθ; with μ &gt; 0 a velocity per parameter,
/// v = d at the first update and v ← μv + d after, stepping along v (or d + μv with Nesterov); θ ← θ − lr·d.
/// Momentum 0 and decay 0 is <see cref="GradientDescentOptimizer"/>'s update bit for bit.
/// </summary>
public sealed class SgdOptimizer : IOptimizer
{
    private readonly IOptimizerDevice device;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly DeviceBuffer[]? velocity;
    private readonly float momentum;
    private readonly float weightDecay;
    private readonly bool nesterov;

    /// <exception cref="ArgumentOutOfRangeException">Momentum or weight decay is negative.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum (torch rejects it too).</exception>
    public SgdOptimizer(
        IOptimizerDevice device, IReadOnlyList<Parameter> parameters, double learningRate, double momentum, double weightDecay, bool nesterov)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(momentum);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum needs a momentum above 0.", nameof(nesterov));
        }

        this.device = device;
        this.parameters = parameters;
        LearningRate = learningRate;
        this.momentum = (float)momentum;
        this.weightDecay = (float)weightDecay;
        this.nesterov = nesterov;
        velocity = momentum == 0 ? null : [.. parameters.Select(p => device.Allocate(p.Length))];
    }

    public double LearningRate { get; set; }

    /// <summary>Updates taken so far.</summary>
    public long Steps { get; private set; }

    public void Step()
    {
        Steps++;
        var hyper = new SgdStepParameters((float)LearningRate, momentum, weightDecay, nesterov, FirstStep: Steps == 1);
        for (var i = 0; i < parameters.Count; i++)
        {
            device.SgdStep(parameters[i].Value, parameters[i].Gradient, velocity?[i], hyper, parameters[i].Length);
        }
    }

    public void Dispose()
    {
        foreach (var buffer in velocity ?? [])
        {
            buffer.Dispose();
        }
    }
}
