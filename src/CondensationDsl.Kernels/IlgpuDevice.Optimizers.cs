using CondensationDsl.Kernels.Kernels;
using CondensationDsl.Runtime.Devices;
using ILGPU;
using ILGPU.Runtime;

namespace CondensationDsl.Kernels;

/// <summary>Weight decay, SGD momentum and AdamW (<see cref="IOptimizerDevice"/>) as <see cref="OptimizerKernels"/>, one
/// thread per parameter. At the default options the plain GD and Adam kernels run, so results match them bit for bit.</summary>
public sealed partial class IlgpuDevice : IOptimizerDevice
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, SgdCoefficients>? sgdDecay;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdCoefficients>? sgdMomentum;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamCoefficients, AdamDecayCoefficients>? adamDecay;

    public void SgdStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer? velocity, SgdStepParameters hyper, int length)
    {
        if (hyper.IsPlain)
        {
            GradientDescentStep(parameter, gradient, hyper.LearningRate, length);
            return;
        }

        IlgpuBuffer p = Own(parameter);
        IlgpuBuffer g = Own(gradient);
        RequireLength(p, length, nameof(parameter));
        RequireLength(g, length, nameof(gradient));
        IlgpuBuffer? v = null;
        if (hyper.Momentum != 0)
        {
            ArgumentNullException.ThrowIfNull(velocity);
            v = Own(velocity);
            RequireLength(v, length, nameof(velocity));
        }
        if (length == 0)
        {
            return;
        }

        var coefficients = new SgdCoefficients
        {
            LearningRate = hyper.LearningRate,
            Momentum = hyper.Momentum,
            WeightDecay = hyper.WeightDecay,
            Nesterov = hyper.Nesterov ? 1 : 0,
            FirstStep = hyper.FirstStep ? 1 : 0,
        };
        if (v is null)
        {
            sgdDecay ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SgdCoefficients>(OptimizerKernels.SgdDecay);
            sgdDecay(length, p.View, g.View, coefficients);
        }
        else
        {
            sgdMomentum ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdCoefficients>(OptimizerKernels.SgdMomentum);
            sgdMomentum(length, p.View, g.View, v.View, coefficients);
        }
    }

    public void AdamStep(
        DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment,
        AdamStepParameters hyper, AdamWeightDecay decay, int length)
    {
        if (decay.Rate == 0)
        {
            AdamStep(parameter, gradient, firstMoment, secondMoment, hyper, length);
            return;
        }

        IlgpuBuffer p = Own(parameter);
        IlgpuBuffer g = Own(gradient);
        IlgpuBuffer m = Own(firstMoment);
        IlgpuBuffer v = Own(secondMoment);
        ArgumentOutOfRangeException.ThrowIfLessThan(hyper.Step, 1L, nameof(hyper));
        RequireLength(p, length, nameof(parameter));
        RequireLength(g, length, nameof(gradient));
        RequireLength(m, length, nameof(firstMoment));
        RequireLength(v, length, nameof(secondMoment));
        if (length == 0)
        {
            return;
        }

        adamDecay ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamCoefficients, AdamDecayCoefficients>(OptimizerKernels.AdamDecay);
        var coefficients = new AdamCoefficients
        {
            LearningRate = hyper.LearningRate,
            Beta1 = hyper.Beta1,
            Beta2 = hyper.Beta2,
            Epsilon = hyper.Epsilon,
            // As AdamStep: 1 − β^t in float64 on the host, rounded once.
            BiasCorrection1 = (float)(1.0 - Math.Pow(hyper.Beta1, hyper.Step)),
            BiasCorrection2 = (float)(1.0 - Math.Pow(hyper.Beta2, hyper.Step)),
        };
        var decayCoefficients = new AdamDecayCoefficients
        {
            GradientRate = decay.GradientRate,
            DecoupledFactor = decay.DecoupledFactor(hyper.LearningRate),
        };
        adamDecay(length, p.View, g.View, m.View, v.View, coefficients, decayCoefficients);
    }
}
