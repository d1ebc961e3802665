namespace CondensationDsl.Runtime.Program;

/// <summary>
/// An update rule with its learning rate, mini-batch size, weight decay and learning-rate schedule.
/// <see cref="BatchSize"/> 0 means full batch (one update per epoch over every sample); otherwise batches are drawn
/// without replacement each epoch by the RNG stream "batches" (an epoch is ⌈n/batch⌉ updates).
/// </summary>
/// <remarks>
/// <see cref="WeightDecay"/> λ is L2 regularization added to the gradient, g ← g + λθ (torch.optim.SGD and Adam's
/// `weight_decay`); <see cref="AdamSpec.Decoupled"/> turns Adam's into AdamW's decoupled decay θ ← θ − lr·λ·θ.
/// <see cref="Schedule"/> null keeps the learning rate constant.
/// </remarks>
public abstract record OptimizerSpec(double LearningRate)
{
    public virtual int BatchSize => 0;

    public double WeightDecay { get; init; }

    public LearningRateSchedule? Schedule { get; init; }
}

/// <summary>Full-batch gradient descent.</summary>
public sealed record GdSpec(double LearningRate) : OptimizerSpec(LearningRate);

/// <summary>
/// Mini-batch SGD (torch.optim.SGD): with <see cref="Momentum"/> μ &gt; 0 the velocity v ← μv + g (v = g at the first
/// update) and θ ← θ − lr·v; with <see cref="Nesterov"/> the step is g + μv instead of v.
/// </summary>
public sealed record SgdSpec(double LearningRate, int Batch) : OptimizerSpec(LearningRate)
{
    public override int BatchSize => Batch;

    public double Momentum { get; init; }

    public bool Nesterov { get; init; }
}

/// <summary>Adam (PyTorch's formulation); full batch unless <see cref="Batch"/> &gt; 0; AdamW when <see cref="Decoupled"/>.</summary>
public sealed record AdamSpec(double LearningRate, double Beta1, double Beta2, double Epsilon) : OptimizerSpec(LearningRate)
{
    public int Batch { get; init; }

    public override int BatchSize => Batch;

    public bool Decoupled { get; init; }
}

/// <summary>
/// The learning rate as a function of the counted step (epochs or steps, the training's unit): the optimizer's rate
/// times <see cref="Factor"/>, applied at the start of each counted step.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The multiplier of the base learning rate during counted step <paramref name="unit"/> (0-based) of <paramref name="total"/>.</summary>
    public abstract double Factor(long unit, long total);
}

/// <summary>`step(every: k, factor: γ)`: multiplied by γ after every k counted steps (torch StepLR).</summary>
public sealed record StepSchedule(long Every, double Gamma) : LearningRateSchedule
{
    public override double Factor(long unit, long total) => Math.Pow(Gamma, unit / Every);
}

/// <summary>`cosine(min: f)`: from the base rate down to f·rate along half a cosine over the training's length (torch CosineAnnealingLR, T_max = length).</summary>
public sealed record CosineSchedule(double MinFactor) : LearningRateSchedule
{
    public override double Factor(long unit, long total) =>
        total <= 0 ? 1.0 : MinFactor + (1 - MinFactor) * (1 + Math.Cos(Math.PI * Math.Min(unit, total) / total)) / 2;
}
