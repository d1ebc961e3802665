using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Random;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// Dropout layers (SCIENCE.md §2, §3 rows 8–9): the masks (fraction kept, scale, independence of how a range is cut),
/// the model's training and evaluation passes, gradients with a fixed mask, and whole training runs (keep = 1 changes
/// nothing, runs repeat bit for bit, the CPU and ILGPU devices draw the same masks).
/// </summary>
public class DropoutTests
{
    private const int Rows = 7;

    /// <summary>Figure 8's target on 15 points of [−12, 12].</summary>
    private static readonly GridDataSpec Fig8 = new("train", -12, 12, 15, x => Math.Tanh(x[0] - 6) + Math.Tanh(x[0] + 6));

    private static IDevice CreateDevice(string kind) => kind switch
    {
        "cpu" => new CpuDevice(2) { ParallelThreshold = 0 },
        "cpu-plain" => new PlainDevice(new CpuDevice(2) { ParallelThreshold = 0 }),
        "ilgpu-cpu" => CondensationDsl.Kernels.IlgpuDevices.Create("ilgpu-cpu"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>1 → width (act) → [dropout keep] → 1, the shape of figures 8–9.</summary>
    private static ModelSpec Net(int width, double? keep, Activation activation = Activation.Tanh, double std = 0.5)
    {
        var layers = new List<LayerSpec> { new("hidden", LayerKind.Dense, width, activation, true, null) };
        if (keep is { } p)
        {
            layers.Add(new LayerSpec("drop", LayerKind.Dropout, width, Activation.Linear, false, null, p));
        }

        layers.Add(new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null));
        return new ModelSpec("net", 1, layers, _ => std);
    }

    private static MemorySink Train(IDevice device, ModelSpec model, TrainingSpec training, long every, ulong seed = 1)
    {
        var sink = new MemorySink();
        var context = new RunContext(device, new Dictionary<string, double> { ["seed"] = seed }, sink, null, CancellationToken.None);
        Trainer.Run(context, model, Fig8, training, [new ObservationSpec(new EveryScheduleSpec(every), [new LossMeasure()])]);
        return sink;
    }

    private static TrainingSpec Adam(long epochs) => new(LossKind.Mse, new AdamSpec(1e-2, 0.9, 0.999, 1e-8), DurationUnit.Epochs, epochs, null);

    private static TrainingSpec Sgd(long epochs) => new(LossKind.Mse, new SgdSpec(1e-2, 4), DurationUnit.Epochs, epochs, null);

    private static long[] LossBits(MemorySink sink) => [.. sink.Column("loss").Select(BitConverter.DoubleToInt64Bits)];

    [Fact]
    public void A_mask_keeps_a_fraction_p_of_units_and_scales_them_by_exactly_one_over_p()
    {
        const int n = 1 << 20;
        foreach (var keep in new[] { 0.9, 0.3 })
        {
            var mask = new float[n];
            new DropoutMask(5, "dropout/net/drop", keep).Fill(firstElement: 12_345, mask);
            var scale = (float)(1.0 / keep);
            Assert.All(mask, v => Assert.True(v == 0f || v == scale, $"mask value {v} is neither 0 nor 1/{keep}"));
            var kept = mask.Count(v => v != 0) / (double)n;
            // Five standard deviations of a binomial fraction: a false alarm has probability below 1e-6.
            var bound = 5 * Math.Sqrt(keep * (1 - keep) / n);
            Assert.True(Math.Abs(kept - keep) <= bound, $"keep {keep}: kept fraction {kept}, allowed ±{bound:E2}");
        }
    }

    [Fact]
    public void A_mask_value_depends_on_its_element_alone_not_on_how_the_range_is_cut()
    {
        var masks = new DropoutMask(3, DropoutMask.StreamName("net", "drop"), 0.5);
        var whole = new float[1000];
        masks.Fill(77, whole);
        // Element e is word e mod 4 of the stream's Philox block ⌊e/4⌋, kept iff below 2³¹ (p = 0.5), whichever path
        // (four blocks per AVX2 vector, or one at a time) drew it.
        var stream = new RandomStream(3, "dropout/net/drop");
        for (var i = 0; i < whole.Length; i++)
        {
            var element = 77L + i;
            var (x0, x1, x2, x3) = stream.Block(element >> 2);
            var word = (element & 3) switch { 0 => x0, 1 => x1, 2 => x2, _ => x3 };
            Assert.Equal(word < 1u << 31 ? 2f : 0f, whole[i]);
        }

        // Pieces starting and ending inside Philox blocks (four units each) must give the same values.
        foreach (var (start, length) in new[] { (0, 1), (1, 2), (3, 9), (13, 500), (513, 487), (3, 17) })
        {
            var piece = new float[length];
            masks.Fill(77 + start, piece);
            Assert.Equal(whole.AsSpan(start, length).ToArray(), piece);
        }

        // Another step, seed or layer gives another mask.
        var other = new float[1000];
        masks.Fill(77 + DropoutMask.FirstElement(1, 10, 100), other);
        Assert.NotEqual(whole, other);
        new DropoutMask(4, DropoutMask.StreamName("net", "drop"), 0.5).Fill(77, other);
        Assert.NotEqual(whole, other);
        new DropoutMask(3, DropoutMask.StreamName("net", "drop2"), 0.5).Fill(77, other);
        Assert.NotEqual(whole, other);
    }

    [Fact]
    public void A_training_pass_multiplies_by_the_mask_and_an_evaluation_pass_ignores_it()
    {
        using var device = new CpuDevice(2);
        const int rows = 15, width = 64;
        using var withDropout = FeedForwardModel.Create(device, Net(width, 0.6), seed: 2, capacity: rows);
        using var without = FeedForwardModel.Create(device, Net(width, null), seed: 2, capacity: rows);
        var x = Reference.RandomFloats(rows, 8, scale: 2);
        using var input = Reference.Upload(device, x);

        var plain = Reference.Download(device, without.Forward(input, rows), rows);
        withDropout.TrainingForward(input, rows, step: 4);
        var hidden = Reference.Download(device, withDropout.Layers[0].Output, rows * width);
        var mask = Reference.Download(device, withDropout.Dropouts[0].Mask, rows * width);
        var dropped = Reference.Download(device, withDropout.Dropouts[0].Output, rows * width);
        var expectedMask = new float[rows * width];
        new DropoutMask(2, "dropout/net/drop", 0.6).Fill(DropoutMask.FirstElement(4, rows, width), expectedMask);
        Assert.Equal(expectedMask, mask);
        for (var i = 0; i < hidden.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(hidden[i] * mask[i]), BitConverter.SingleToInt32Bits(dropped[i]));
        }

        // The evaluation pass after a training pass is the model without the layer, bit for bit.
        var evaluated = Reference.Download(device, withDropout.Forward(input, rows), rows);
        Assert.Equal(plain.Select(BitConverter.SingleToInt32Bits), evaluated.Select(BitConverter.SingleToInt32Bits));
        var trained = Reference.Download(device, withDropout.TrainingForward(input, rows, step: 4), rows);
        Assert.NotEqual(plain, trained);
    }

    [Fact]
    public void Backward_after_an_evaluation_pass_is_refused_when_dropout_is_active()
    {
        using var device = new CpuDevice(1);
        using var model = FeedForwardModel.Create(device, Net(8, 0.5), seed: 1, capacity: Rows);
        using var x = Reference.Upload(device, Reference.RandomFloats(Rows, 1));
        using var gradient = device.Allocate(Rows);
        model.Forward(x, Rows);
        Assert.Throws<InvalidOperationException>(() => model.Backward(x, gradient, Rows));
        model.TrainingForward(x, Rows, 0);
        model.Backward(x, gradient, Rows);
    }

    [Fact]
    public void A_dropout_layer_must_keep_its_inputs_width_and_a_keep_probability_in_0_1()
    {
        using var device = new CpuDevice(1);
        var wrongWidth = Net(8, 0.5) with
        {
            Layers = [.. Net(8, 0.5).Layers.Select(l => l.Kind == LayerKind.Dropout ? l with { Width = 9 } : l)],
        };
        Assert.Throws<ArgumentException>(() => FeedForwardModel.Create(device, wrongWidth, 1, Rows));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeedForwardModel.Create(device, Net(8, 0), 1, Rows));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeedForwardModel.Create(device, Net(8, 1.5), 1, Rows));
    }

    public static TheoryData<string> Optimizers() => ["adam", "sgd"];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Keep_one_trains_bit_for_bit_like_the_model_without_the_layer(string optimizer)
    {
        using var device = new CpuDevice(2);
        var training = optimizer == "adam" ? Adam(300) : Sgd(100);
        var with = Train(device, Net(40, 1.0), training, every: 10);
        var without = Train(device, Net(40, null), training, every: 10);
        Assert.Equal(LossBits(without), LossBits(with));
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Recorded_losses_are_evaluation_passes_without_dropout(string optimizer)
    {
        using var device = new CpuDevice(2);
        var training = optimizer == "adam" ? Adam(0) : Sgd(0);
        // Zero epochs: the only row is step 0, at the initial parameters, which dropout does not change.
        var with = Train(device, Net(40, 0.5), training, every: 1);
        var without = Train(device, Net(40, null), training, every: 1);
        Assert.Equal(LossBits(without), LossBits(with));

        // The training pass's loss at those parameters differs: a recorded training loss would have failed the check above.
        using var model = FeedForwardModel.Create(device, Net(40, 0.5), seed: 1, capacity: 15);
        var data = Data.Dataset.Materialize(Fig8, 1);
        using var x = Reference.Upload(device, data.Inputs);
        using var y = Reference.Upload(device, data.Targets);
        using var gradient = device.Allocate(15);
        var trainingLoss = device.MseLossAndGradient(model.TrainingForward(x, 15, 0), y, gradient, 15);
        var evaluationLoss = device.MseLossAndGradient(model.Forward(x, 15), y, gradient, 15);
        Assert.Equal(BitConverter.DoubleToInt64Bits(with.Column("loss")[0]), BitConverter.DoubleToInt64Bits(evaluationLoss));
        Assert.NotEqual(evaluationLoss, trainingLoss);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void A_training_run_with_dropout_repeats_bit_for_bit_and_depends_on_the_masks(string optimizer)
    {
        using var device = new CpuDevice(2);
        var training = optimizer == "adam" ? Adam(300) : Sgd(100);
        var first = Train(device, Net(40, 0.8), training, every: 10);
        var second = Train(device, Net(40, 0.8), training, every: 10);
        Assert.Equal(LossBits(first), LossBits(second));

        // The seed moves the masks (the initialization too); no dropout at all gives yet another trajectory.
        var otherSeed = Train(device, Net(40, 0.8), training, every: 10, seed: 2);
        var noDropout = Train(device, Net(40, null), training, every: 10);
        Assert.NotEqual(LossBits(first)[^1], LossBits(otherSeed)[^1]);
        Assert.NotEqual(LossBits(first)[^1], LossBits(noDropout)[^1]);
        Assert.Equal(LossBits(first)[0], LossBits(noDropout)[0]);
    }

    [Fact]
    public void The_cpu_and_ilgpu_devices_draw_the_same_masks_and_train_alike()
    {
        using var cpu = new CpuDevice(2);
        using var ilgpu = CreateDevice("ilgpu-cpu");
        const int width = 16;
        var spec = Net(width, 0.7);
        using (var onCpu = FeedForwardModel.Create(cpu, spec, seed: 3, capacity: 15))
        using (var onIlgpu = FeedForwardModel.Create(ilgpu, spec, seed: 3, capacity: 15))
        {
            var x = Reference.RandomFloats(15, 4, scale: 3);
            using var xCpu = Reference.Upload(cpu, x);
            using var xIlgpu = Reference.Upload(ilgpu, x);
            onCpu.TrainingForward(xCpu, 15, step: 9);
            onIlgpu.TrainingForward(xIlgpu, 15, step: 9);
            Assert.Equal(Reference.Download(cpu, onCpu.Dropouts[0].Mask, 15 * width), Reference.Download(ilgpu, onIlgpu.Dropouts[0].Mask, 15 * width));
        }

        var lossesCpu = Train(cpu, spec, Adam(40), every: 5).Column("loss");
        var lossesIlgpu = Train(ilgpu, spec, Adam(40), every: 5).Column("loss");
        Assert.Equal(lossesCpu.Length, lossesIlgpu.Length);
        for (var i = 0; i < lossesCpu.Length; i++)
        {
            // Same masks; only float32 rounding differs (FMA, summation order): a different mask would move the loss by
            // far more (the previous test's other-seed run).
            Assert.True(Math.Abs(lossesCpu[i] - lossesIlgpu[i]) <= 1e-5 * lossesCpu[i], $"row {i}: cpu {lossesCpu[i]:R}, ilgpu {lossesIlgpu[i]:R}");
        }
    }

    /// <summary>Dropout between the hidden layer and a scalar head (the CPU's fused head must step aside), between two hidden
    /// layers, on the inputs, and twice in a row.</summary>
    public static TheoryData<string, string> GradientCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var shape in new[] { "1-70-d.7-1", "3-5-d.5-4-d.8-1", "d.6-2-9-1", "2-6-d.5-d.9-1" })
        {
            foreach (var device in new[] { "cpu", "cpu-plain", "ilgpu-cpu" })
            {
                data.Add(device, shape);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Backward_with_the_masks_of_a_training_pass_matches_finite_differences(string deviceKind, string shape)
    {
        using var device = CreateDevice(deviceKind);
        var spec = ParseShape(shape);
        using var model = FeedForwardModel.Create(device, spec, seed: 11, capacity: Rows);
        var x = Reference.RandomFloats(Rows * spec.InputSize, 21, scale: 1.5);
        var y = Reference.RandomFloats(Rows, 22);
        using var dx = Reference.Upload(device, x);
        using var dy = Reference.Upload(device, y);
        using var grad = device.Allocate(Rows);

        var output = model.TrainingForward(dx, Rows, step: 5);
        var deviceLoss = device.MseLossAndGradient(output, dy, grad, Rows);
        model.Backward(dx, grad, Rows);

        var masks = model.Dropouts.Select(d => Reference.Download(device, d.Mask, Rows * d.Width).Select(v => (double)v).ToArray()).ToArray();
        Assert.All(masks, mask => Assert.Contains(0.0, mask));
        var parameters = model.Parameters.Select(p => Reference.Download(device, p.Value, p.Length).Select(v => (double)v).ToArray()).ToArray();
        var referenceLoss = Loss(spec, parameters, masks, x, y);
        Assert.True(Math.Abs(deviceLoss - referenceLoss) <= 1e-5 * Math.Max(1, referenceLoss), $"loss {deviceLoss} vs {referenceLoss}");
        for (var p = 0; p < parameters.Length; p++)
        {
            var deviceGradient = Reference.Download(device, model.Parameters[p].Gradient, model.Parameters[p].Length);
            for (var i = 0; i < parameters[p].Length; i++)
            {
                const double h = 1e-6;
                var saved = parameters[p][i];
                parameters[p][i] = saved + h;
                var up = Loss(spec, parameters, masks, x, y);
                parameters[p][i] = saved - h;
                var down = Loss(spec, parameters, masks, x, y);
                parameters[p][i] = saved;
                var numeric = (up - down) / (2 * h);
                Assert.True(
                    Math.Abs(deviceGradient[i] - numeric) <= 1e-4 * Math.Max(1, Math.Abs(numeric)),
                    $"{shape} {model.Parameters[p].Name}[{i}]: device {deviceGradient[i]}, finite differences {numeric}");
            }
        }
    }

    [Fact]
    public void Multiply_gives_the_same_bits_for_any_thread_split()
    {
        const int n = 4099;
        var x = Reference.RandomFloats(n, 1, scale: 10);
        var mask = new float[n];
        new DropoutMask(1, "dropout/net/drop", 0.9).Fill(0, mask);
        float[]? first = null;
        foreach (var threads in new[] { 1, 2, 3 })
        {
            using var device = new CpuDevice(threads) { ParallelThreshold = threads == 1 ? long.MaxValue : 0 };
            using var buffer = Reference.Upload(device, x);
            using var factors = Reference.Upload(device, mask);
            device.Multiply(buffer, factors, buffer, n);
            var result = Reference.Download(device, buffer, n);
            first ??= result;
            Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), result.Select(BitConverter.SingleToInt32Bits));
        }

        Assert.Equal(x.Zip(mask, (a, b) => BitConverter.SingleToInt32Bits(a * b)), first!.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>"3-5-d.5-4-1": 3 inputs, tanh layers of 5 and 4 with a dropout of keep 0.5 between, a linear output;
    /// "d.6-2-9-1": a dropout of keep 0.6 on 2 inputs, then a tanh layer of 9 and the output.</summary>
    private static ModelSpec ParseShape(string shape)
    {
        var parts = shape.Split('-');
        var layers = new List<LayerSpec>();
        var inputs = parts[0].StartsWith('d') ? 0 : int.Parse(parts[0]);
        var start = 1;
        if (inputs == 0)
        {
            inputs = int.Parse(parts[1]);
            layers.Add(new LayerSpec("d0", LayerKind.Dropout, inputs, Activation.Linear, false, null, double.Parse("0" + parts[0][1..], System.Globalization.CultureInfo.InvariantCulture)));
            start = 2;
        }

        var width = inputs;
        for (var i = start; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            if (parts[i].StartsWith('d'))
            {
                var keep = double.Parse("0" + parts[i][1..], System.Globalization.CultureInfo.InvariantCulture);
                layers.Add(new LayerSpec($"d{i}", LayerKind.Dropout, width, Activation.Linear, false, null, keep));
                continue;
            }

            width = int.Parse(parts[i]);
            layers.Add(new LayerSpec(last ? "out" : $"h{i}", LayerKind.Dense, width, last ? Activation.Linear : Activation.Tanh, true, last ? _ => 0.7 : null));
        }

        return new ModelSpec("net", inputs, layers, fanIn => 1.2 / Math.Sqrt(fanIn));
    }

    /// <summary>The float64 loss with the dropout masks held fixed: parameters in the model's order, masks in layer order.</summary>
    private static double Loss(ModelSpec spec, double[][] parameters, double[][] masks, float[] x, float[] y)
    {
        var values = x.Select(v => (double)v).ToArray();
        var width = spec.InputSize;
        int parameter = 0, dropout = 0;
        foreach (var layer in spec.Layers)
        {
            if (layer.Kind == LayerKind.Dropout)
            {
                var mask = masks[dropout++];
                values = [.. values.Select((v, i) => v * mask[i])];
                continue;
            }

            var w = parameters[parameter++];
            var b = layer.Bias ? parameters[parameter++] : new double[layer.Width];
            var next = new double[Rows * layer.Width];
            for (var r = 0; r < Rows; r++)
            {
                for (var o = 0; o < layer.Width; o++)
                {
                    var z = b[o];
                    for (var i = 0; i < width; i++)
                    {
                        z += w[o * width + i] * values[r * width + i];
                    }

                    next[r * layer.Width + o] = HostActivation.Apply(layer.Activation, z);
                }
            }

            values = next;
            width = layer.Width;
        }

        return values.Select((p, i) => (p - y[i]) * (p - y[i])).Sum() / Rows;
    }
}
