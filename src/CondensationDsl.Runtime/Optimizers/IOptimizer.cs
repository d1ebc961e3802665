
namespace CondensationDsl.Runtime.Optimizers;

/// <summary>Updates parameters from the gradients the last backward pass left in them.</summary>
public interface IOptimizer : IDisposable
{
    /// <summary>
    /// The learning rate of the next updates. It starts at the spec's rate; a learning-rate schedule sets it between
    /// updates (base rate × <see cref="Program.LearningRateSchedule.Factor"/>). Optimizer state (momentum, moments,
    /// step count) is kept when it changes, as when torch's schedulers change a param group's `lr`.
    /// </summary>
    double LearningRate { get; set; }

    void Step();
}
