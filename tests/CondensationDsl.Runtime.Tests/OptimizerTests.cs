using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Optimizers;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// The optimizers built from <see cref="OptimizerSpec"/> against hand-computed torch.optim values on one parameter,
/// the factory's choice of update rule, the learning rate changed between updates, and the schedules' factors.
/// </summary>
public sealed class OptimizerTests : IDisposable
{
    private readonly CpuDevice device = new(threads: 1);

    public void Dispose() => device.Dispose();

    [Fact]
    public void Sgd_momentum_on_a_quadratic_matches_torch_over_three_steps()
    {
        // f(θ) = θ², g = 2θ, θ₀ = 1, lr = 0.1, μ = 0.9; torch.optim.SGD(momentum=0.9): v₁ = g₁, then v = μv + g.
        //   step 1: g = 2,    v = 2,                  θ = 1    − 0.1·2    = 0.8
        //   step 2: g = 1.6,  v = 0.9·2   + 1.6  = 3.4,  θ = 0.8  − 0.1·3.4  = 0.46
        //   step 3: g = 0.92, v = 0.9·3.4 + 0.92 = 3.98, θ = 0.46 − 0.1·3.98 = 0.062
        var spec = new SgdSpec(0.1, 1) { Momentum = 0.9 };
        Assert.Equal([0.8, 0.46, 0.062], DescendQuadratic(spec, steps: 3), new Close(1e-6));
    }

    [Fact]
    public void Nesterov_momentum_on_a_quadratic_matches_torch_over_three_steps()
    {
        // As above with nesterov=True: the step is g + μv.
        //   step 1: g = 2,      v = 2,                      d = 2      + 0.9·2      = 3.8,     θ = 1      − 0.38     = 0.62
        //   step 2: g = 1.24,   v = 0.9·2    + 1.24   = 3.04,   d = 1.24   + 0.9·3.04   = 3.976,   θ = 0.62   − 0.3976   = 0.2224
        //   step 3: g = 0.4448, v = 0.9·3.04 + 0.4448 = 3.1808, d = 0.4448 + 0.9·3.1808 = 3.30752, θ = 0.2224 − 0.330752 = −0.108352
        var spec = new SgdSpec(0.1, 1) { Momentum = 0.9, Nesterov = true };
        Assert.Equal([0.62, 0.2224, -0.108352], DescendQuadratic(spec, steps: 3), new Close(1e-6));
    }

    [Fact]
    public void Weight_decay_adds_lambda_theta_to_the_gradient()
    {
        // gd(lr 0.1, weight decay 0.5) on θ², θ₀ = 1: d = 2θ + 0.5θ = 2.5θ, θ ← θ − 0.25θ = 0.75θ.
        var spec = new GdSpec(0.1) { WeightDecay = 0.5 };
        Assert.Equal([0.75, 0.5625, 0.421875], DescendQuadratic(spec, steps: 3), new Close(1e-6));
    }

    [Fact]
    public void AdamW_decays_the_parameter_by_lr_lambda_while_Adam_L2_moves_it_by_about_lr()
    {
        // θ₀ = 1, gradient 0, lr = 0.01, λ = 0.1, β = (0.9, 0.999), ε = 1e-8.
        // Adam + L2: g = λθ = 0.1, m̂ = 0.1, v̂ = 0.01: the step is lr·0.1/(0.1 + ε) ≈ lr whatever λ is:
        //   θ₁ = 1 − 0.01/(1 + 1e-7) = 0.990000001, θ₂ = 0.980002748, θ₃ = 0.970010102 (float64 replay of torch's formula).
        // AdamW: θ ← θ(1 − lr·λ) = 0.999θ and m = v = 0, so the Adam step is 0: θ = 0.999, 0.998001, 0.997002999.
        var l2 = new AdamSpec(0.01, 0.9, 0.999, 1e-8) { WeightDecay = 0.1 };
        var decoupled = l2 with { Decoupled = true };
        Assert.Equal([0.990000001, 0.980002748, 0.970010102], Trajectory(l2, _ => 0.0, steps: 3), new Close(1e-6));
        Assert.Equal([0.999, 0.998001, 0.997002999], Trajectory(decoupled, _ => 0.0, steps: 3), new Close(1e-6));
    }

    [Fact]
    public void Adam_without_decay_is_the_plain_update_bit_for_bit()
    {
        var plain = new AdamSpec(0.01, 0.9, 0.999, 1e-8);
        double[] a = Trajectory(plain, theta => 2 * theta - 0.3, steps: 5);
        double[] b = Trajectory(plain with { Decoupled = true }, theta => 2 * theta - 0.3, steps: 5);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Factory_keeps_the_plain_optimizers_at_default_options()
    {
        using var parameter = new OneParameter(device, 1f);
        IReadOnlyList<Parameter> parameters = [parameter.Parameter];
        using (var gd = OptimizerFactory.Create(device, parameters, new GdSpec(0.1)))
        {
            Assert.IsType<GradientDescentOptimizer>(gd);
        }
        using (var sgd = OptimizerFactory.Create(device, parameters, new SgdSpec(0.1, 8)))
        {
            Assert.IsType<GradientDescentOptimizer>(sgd);
        }
        using (var momentum = OptimizerFactory.Create(device, parameters, new SgdSpec(0.1, 8) { Momentum = 0.9 }))
        {
            Assert.IsType<SgdOptimizer>(momentum);
        }
        using (var decay = OptimizerFactory.Create(device, parameters, new GdSpec(0.1) { WeightDecay = 1e-4 }))
        {
            Assert.IsType<SgdOptimizer>(decay);
        }
        using (var adam = OptimizerFactory.Create(device, parameters, new AdamSpec(0.1, 0.9, 0.999, 1e-8) { Decoupled = true, WeightDecay = 0.01 }))
        {
            Assert.IsType<AdamOptimizer>(adam);
            Assert.Equal(0.1, adam.LearningRate);
        }
    }

    [Fact]
    public void Learning_rate_set_between_updates_is_used_by_the_next_update()
    {
        // θ², θ₀ = 1, gd: lr 0.1 then 0.05 (a schedule's factor 0.5): θ₁ = 0.8, θ₂ = 0.8 − 0.05·1.6 = 0.72.
        using var parameter = new OneParameter(device, 1f);
        using var optimizer = OptimizerFactory.Create(device, [parameter.Parameter], new GdSpec(0.1));
        parameter.SetGradient(2 * parameter.Value);
        optimizer.Step();
        optimizer.LearningRate = 0.1 * 0.5;
        parameter.SetGradient(2 * parameter.Value);
        optimizer.Step();
        Assert.Equal(0.72, parameter.Value, 1e-6);
    }

    [Fact]
    public void Step_schedule_multiplies_by_gamma_every_k_units()
    {
        var schedule = new StepSchedule(Every: 10, Gamma: 0.5);
        Assert.Equal(1.0, schedule.Factor(0, 100));
        Assert.Equal(1.0, schedule.Factor(9, 100));
        Assert.Equal(0.5, schedule.Factor(10, 100));
        Assert.Equal(0.25, schedule.Factor(25, 100));
        Assert.Equal(Math.Pow(0.5, 9), schedule.Factor(99, 100));
    }

    [Fact]
    public void Cosine_schedule_goes_from_one_to_min_along_half_a_cosine()
    {
        var schedule = new CosineSchedule(MinFactor: 0.1);
        Assert.Equal(1.0, schedule.Factor(0, 100), 1e-15);
        Assert.Equal((1 + 0.1) / 2, schedule.Factor(50, 100), 1e-15);
        // 0.1 + 0.9·(1 + cos(π/4))/2
        Assert.Equal(0.8681980515339464, schedule.Factor(25, 100), 1e-15);
        Assert.Equal(0.1, schedule.Factor(100, 100), 1e-15);
        Assert.Equal(0.1, schedule.Factor(150, 100), 1e-15);
        Assert.Equal(1.0, schedule.Factor(5, 0));
    }

    [Fact]
    public void Invalid_sgd_options_are_rejected()
    {
        using var parameter = new OneParameter(device, 1f);
        Assert.Throws<ArgumentException>(() => new SgdOptimizer(device, [parameter.Parameter], 0.1, 0, 0, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer(device, [parameter.Parameter], 0.1, -0.5, 0, nesterov: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer(device, [parameter.Parameter], 0.1, 0, -1, nesterov: false));
    }

    /// <summary>θ after each of <paramref name="steps"/> updates of f(θ) = θ² from θ₀ = 1.</summary>
    private double[] DescendQuadratic(OptimizerSpec spec, int steps) => Trajectory(spec, theta => 2 * theta, steps);

    /// <summary>θ after each of <paramref name="steps"/> updates from θ₀ = 1 with the gradient <paramref name="gradient"/>(θ).</summary>
    private double[] Trajectory(OptimizerSpec spec, Func<double, double> gradient, int steps)
    {
        using var parameter = new OneParameter(device, 1f);
        using var optimizer = OptimizerFactory.Create(device, [parameter.Parameter], spec);
        var values = new double[steps];
        for (var step = 0; step < steps; step++)
        {
            parameter.SetGradient(gradient(parameter.Value));
            optimizer.Step();
            values[step] = parameter.Value;
        }
        return values;
    }

    /// <summary>One scalar parameter with its gradient on a device.</summary>
    private sealed class OneParameter : IDisposable
    {
        private readonly IDevice device;

        public OneParameter(IDevice device, float value)
        {
            this.device = device;
            Parameter = new Parameter("theta", device.Allocate(1), device.Allocate(1), 1);
            device.Upload([value], Parameter.Value);
        }

        public Parameter Parameter { get; }

        public double Value
        {
            get
            {
                Span<float> value = stackalloc float[1];
                device.Download(Parameter.Value, value);
                return value[0];
            }
        }

        public void SetGradient(double gradient) => device.Upload([(float)gradient], Parameter.Gradient);

        public void Dispose()
        {
            Parameter.Value.Dispose();
            Parameter.Gradient.Dispose();
        }
    }

    private sealed class Close(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
