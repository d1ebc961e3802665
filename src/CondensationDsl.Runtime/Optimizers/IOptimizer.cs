
namespace CondensationDsl.Runtime.Optimizers;

/// <summary>Updates parameters from the gradients the last backward pass left in them.</summary>
public interface IOptimizer : IDisposable
{
    void Step();
}
