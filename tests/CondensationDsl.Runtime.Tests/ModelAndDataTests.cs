using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Random;

namespace CondensationDsl.Runtime.Tests;

public class ModelAndDataTests
{
    [Fact]
    public void Grid_data_is_evenly_spaced_with_both_ends_and_float64_targets()
    {
        var data = Dataset.Materialize(new GridDataSpec("train", -1, 1, 5, x => x[0] * x[0] + 1e-9), seed: 1);
        Assert.Equal([-1, -0.5, 0, 0.5, 1], data.InputsDouble);
        Assert.Equal(1 + 1e-9, data.TargetsDouble[0]);
        Assert.Equal((1, 5), (data.Dimension, data.Count));
        Assert.Equal(1f, data.Targets[4]);
    }

    [Fact]
    public void Uniform_data_comes_from_its_named_stream()
    {
        var spec = new UniformDataSpec("train", -4, 2, 80, 5, x => x[0] + 10 * x[4]);
        var data = Dataset.Materialize(spec, seed: 3);
        var stream = new RandomStream(3, "data/train");
        Assert.Equal(400, data.InputsDouble.Length);
        Assert.All(data.InputsDouble, v => Assert.InRange(v, -4, 2));
        Assert.Equal(-4 + 6 * stream.Uniform(7), data.InputsDouble[7]);
        Assert.Equal(data.InputsDouble[5] + 10 * data.InputsDouble[9], data.TargetsDouble[1]);
        Assert.Equal(data.InputsDouble, Dataset.Materialize(spec, seed: 3).InputsDouble);
        Assert.NotEqual(data.InputsDouble, Dataset.Materialize(spec, seed: 4).InputsDouble);
    }

    [Fact]
    public void Initial_weights_are_normal_draws_of_their_named_streams()
    {
        using var device = new CpuDevice(1);
        var spec = new ModelSpec("net", 2, [
            new LayerSpec("hidden", LayerKind.Dense, 3, Activation.Relu, true, fanIn => 1.0 / fanIn),
            new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.25);
        using var model = FeedForwardModel.Create(device, spec, seed: 9, capacity: 4);
        Assert.Equal(["hidden.weight", "hidden.bias", "out.weight"], model.Parameters.Select(p => p.Name));
        var weights = Reference.Download(device, model.Parameters[0].Value, 6);
        var bias = Reference.Download(device, model.Parameters[1].Value, 3);
        var output = Reference.Download(device, model.Parameters[2].Value, 3);
        Assert.Equal((float)(0.5 * new RandomStream(9, "init/net/hidden/weight").Normal(4)), weights[4]);
        Assert.Equal((float)(0.5 * new RandomStream(9, "init/net/hidden/bias").Normal(2)), bias[2]);
        Assert.Equal((float)(0.25 * new RandomStream(9, "init/net/out/weight").Normal(0)), output[0]);
    }

    [Fact]
    public void Batches_cover_every_sample_once_per_epoch()
    {
        var sampler = new BatchSampler(seed: 5, count: 10, batchSize: 4);
        Assert.Equal(3, sampler.StepsPerEpoch);
        var epochs = new List<int[]>();
        for (var epoch = 0; epoch < 3; epoch++)
        {
            var seen = new List<int>();
            for (var b = 0; b < 3; b++)
            {
                var batch = sampler.Batch(epoch * 3 + b).ToArray();
                Assert.Equal(b == 2 ? 2 : 4, batch.Length);
                seen.AddRange(batch);
            }

            Assert.Equal(Enumerable.Range(0, 10), seen.Order());
            epochs.Add([.. seen]);
        }

        Assert.NotEqual(epochs[0], epochs[1]);
        // The order of an epoch depends only on the seed and the epoch, not on what was drawn before.
        Assert.Equal(epochs[2], new BatchSampler(5, 10, 4).Permutation(2).ToArray());
    }
}
