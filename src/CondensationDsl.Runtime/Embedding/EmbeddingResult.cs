namespace CondensationDsl.Runtime.Embedding;

/// <summary>How many eigenvalues of a loss Hessian are positive, zero (|λ| ≤ tolerance·max|λ|) and negative.</summary>
public sealed record HessianCounts(int Positive, int Zero, int Negative);

/// <summary>
/// The embedding principle checked on a trained two-layer network (`embed L (neuron: k, split: s)`, SCIENCE.md §3 row 6.2):
/// neuron <see cref="Neuron"/> (0-based) of layer <see cref="Layer"/> is split into two with the same input weights and
/// output weights a·s and a·(1 − s), giving a network one neuron wider. Everything in float64 on the host, on the
/// training data, with the mse loss.
/// </summary>
/// <param name="FunctionGap">max over the data of |f_wide(x) − f_narrow(x)|: 0 up to rounding (the same function).</param>
/// <param name="GradientNormBefore">‖∇L‖ of the trained (narrow) network; near 0 at a critical point.</param>
/// <param name="GradientNormAfter">‖∇L‖ of the wide network at the embedded point: a critical point stays critical.</param>
/// <param name="HessianBefore">Eigenvalue sign counts of the narrow network's Hessian; null when skipped (<see cref="HessianSkipped"/>).</param>
/// <param name="HessianAfter">The same for the wide network: no count is smaller than before.</param>
/// <param name="ZeroTolerance">Relative tolerance of "zero": |λ| ≤ tolerance · max|λ|.</param>
/// <param name="HessianSkipped">Why the Hessians were not computed (too many parameters), or null.</param>
public sealed record EmbeddingResult(
    string Layer,
    int Neuron,
    double Split,
    int WidthBefore,
    int WidthAfter,
    double LossBefore,
    double LossAfter,
    double FunctionGap,
    double GradientNormBefore,
    double GradientNormAfter,
    HessianCounts? HessianBefore,
    HessianCounts? HessianAfter,
    double ZeroTolerance,
    string? HessianSkipped);
