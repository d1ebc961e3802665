namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>
/// Weight decay, SGD momentum and AdamW (<see cref="IOptimizerDevice"/>) as an <see cref="OptimizerJob"/> split over
/// element ranges, so every thread count gives the same bits. At the default options the plain GD and Adam kernels run.
/// </summary>
public sealed unsafe partial class CpuDevice : IOptimizerDevice
{
    private readonly OptimizerJob optimizerJob = new();

    public void SgdStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer? velocity, SgdStepParameters hyper, int length)
    {
        if (hyper.IsPlain)
        {
            GradientDescentStep(parameter, gradient, hyper.LearningRate, length);
            return;
        }

        var p = Own(parameter);
        var g = Own(gradient);
        Require(p, length, nameof(parameter));
        Require(g, length, nameof(gradient));
        if (hyper.Momentum == 0)
        {
            optimizerJob.SetSgdDecay(p.Pointer, g.Pointer, SgdScalars.From(hyper), length);
        }
        else
        {
            ArgumentNullException.ThrowIfNull(velocity);
            var v = Own(velocity);
            Require(v, length, nameof(velocity));
            optimizerJob.SetSgdMomentum(p.Pointer, g.Pointer, v.Pointer, SgdScalars.From(hyper), length);
        }

        pool.Run(optimizerJob, PartsFor(4L * length, optimizerJob.Units));
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

        var p = Own(parameter);
        var g = Own(gradient);
        var m = Own(firstMoment);
        var v = Own(secondMoment);
        Require(p, length, nameof(parameter));
        Require(g, length, nameof(gradient));
        Require(m, length, nameof(firstMoment));
        Require(v, length, nameof(secondMoment));
        optimizerJob.SetAdam(p.Pointer, g.Pointer, m.Pointer, v.Pointer, AdamDecayScalars.From(hyper, decay), length);
        pool.Run(optimizerJob, PartsFor(10L * length, optimizerJob.Units));
    }
}
