using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Random;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// A stack of dense, convolution, pooling, dropout, batch-normalization layers and residual blocks built from a
/// <see cref="ModelSpec"/>, with explicit forward and backward passes. <see cref="Forward"/> is an evaluation pass (dropout
/// off, batch normalization with its running statistics: what losses, observations and reduction see);
/// <see cref="TrainingForward"/> applies dropout and normalizes with the batch's statistics (updating the running ones), and
/// <see cref="Backward"/> follows it. A dropout layer with keep = 1 is not built at all, so such a model is the model
/// without it, bit for bit. The layers inside a residual block are addressed by their full names ("layer4.1.conv2") wherever
/// a layer name is taken.
/// </summary>
public sealed class FeedForwardModel : IDisposable
{
    private readonly IDevice device;
    private readonly DenseLayer[] layers;
    private readonly ConvLayer[] convolutions;
    private readonly PoolLayer[] pools;
    private readonly DropoutLayer[] dropouts;
    private readonly BatchNormLayer[] norms;
    private readonly ResidualBlock[] blocks;
    private readonly Stage[] stages;
    private readonly Dictionary<string, NamedOutput> namedOutputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Parameter> state = new(StringComparer.Ordinal);
    private readonly DeviceBuffer?[] outputGradients;
    private readonly int firstDense;

    // ModelSpec.OutputScale as a buffer of the factor (the scaling reuses the elementwise product the dropout masks use),
    // and dL/d(last layer's output) = scale·dL/dOutput; both null when the scale is 1.
    private readonly DeviceBuffer? scaleFactors;
    private readonly DeviceBuffer? scaledGradient;

    // Whether the layers' buffers hold a training pass that Backward may use (only tracked when the passes differ).
    private bool trainingPassReady;

    private FeedForwardModel(IDevice device, ModelSpec spec, Stage[] stages)
    {
        this.device = device;
        Spec = spec;
        this.stages = stages;
        layers = [.. stages.Where(s => s.Dense is not null).Select(s => s.Dense!)];
        dropouts = [.. stages.Where(s => s.Dropout is not null).Select(s => s.Dropout!)];
        blocks = [.. stages.Where(s => s.Block is not null).Select(s => s.Block!)];
        var inner = stages.SelectMany(s => s.Block?.InnerLayersInOrder() ?? [(s.Conv, s.Norm)]).ToArray();
        convolutions = [.. inner.Where(l => l.Conv is not null).Select(l => l.Conv!)];
        norms = [.. inner.Where(l => l.Norm is not null).Select(l => l.Norm!)];
        pools = [.. stages.Where(s => s.Pool is not null).Select(s => s.Pool!)];
        NameOutputs();
        firstDense = Array.FindIndex(stages, s => s.HasParameters);
        // dL/d(output of stage s) is written by stage s+1's backward pass when some layer with parameters lies at or below
        // s (else nothing upstream needs it); the last one is the loss gradient, owned by the caller.
        outputGradients = new DeviceBuffer?[stages.Length];
        for (var s = Math.Max(firstDense, 0); s + 1 < stages.Length; s++)
        {
            outputGradients[s] = device.Allocate(stages[s].Capacity * stages[s].Width);
        }

        if (!(double.IsFinite(spec.OutputScale) && spec.OutputScale > 0))
        {
            throw new ArgumentException($"The output scale of model '{spec.Name}' must be positive and finite, got {spec.OutputScale}.", nameof(spec));
        }

        if (spec.OutputScale != 1.0)
        {
            var outputs = stages[^1].Capacity * stages[^1].Width;
            scaleFactors = device.Allocate(outputs);
            device.Fill(scaleFactors, (float)spec.OutputScale);
            scaledGradient = device.Allocate(outputs);
        }

        // In forward order, so a model without convolutions lists exactly its dense layers' parameters, as before.
        var parameters = new List<Parameter>();
        foreach (var stage in stages)
        {
            if (stage.Dense is { } layer)
            {
                parameters.Add(new Parameter(layer.Name + ".weight", layer.Weight, layer.WeightGradient, layer.Outputs * layer.Inputs));
                if (layer.Bias is not null)
                {
                    parameters.Add(new Parameter(layer.Name + ".bias", layer.Bias, layer.BiasGradient!, layer.Outputs));
                }
            }
            else
            {
                foreach (var (conv, norm) in stage.Block?.InnerLayersInOrder() ?? [(stage.Conv, stage.Norm)])
                {
                    AddParameters(parameters, conv, norm);
                }
            }
        }

        Parameters = parameters;
        foreach (var norm in norms)
        {
            state[norm.Name + ".running_mean"] = new Parameter(norm.Name + ".running_mean", norm.RunningMean, norm.RunningMean, norm.Channels);
            state[norm.Name + ".running_var"] = new Parameter(norm.Name + ".running_var", norm.RunningVariance, norm.RunningVariance, norm.Channels);
        }
    }

    /// <summary>A convolution's "weight" (and "bias"), or a batch normalization's γ ("weight") and β ("bias").</summary>
    private static void AddParameters(List<Parameter> parameters, ConvLayer? conv, BatchNormLayer? norm)
    {
        if (conv is not null)
        {
            parameters.Add(new Parameter(conv.Name + ".weight", conv.Weight, conv.WeightGradient, conv.Shape.WeightLength));
            if (conv.Bias is not null)
            {
                parameters.Add(new Parameter(conv.Name + ".bias", conv.Bias, conv.BiasGradient!, conv.Spec.Width));
            }
        }
        else if (norm is not null)
        {
            parameters.Add(new Parameter(norm.Name + ".weight", norm.Gamma, norm.GammaGradient, norm.Channels));
            parameters.Add(new Parameter(norm.Name + ".bias", norm.Beta, norm.BetaGradient, norm.Channels));
        }
    }

    /// <summary>
    /// Every layer whose output can be read by name: each stage's (a residual block's by its name: the block's output), and
    /// the convolutions and batch normalizations inside blocks.
    /// </summary>
    private void NameOutputs()
    {
        foreach (var stage in stages)
        {
            if (stage.Name is { } name)
            {
                namedOutputs[name] = new NamedOutput(stage.Width, stage.Capacity, stage.Output);
            }

            foreach (var (conv, norm) in stage.Block?.InnerLayersInOrder() ?? [])
            {
                if (conv is not null)
                {
                    namedOutputs[conv.Name] = new NamedOutput(conv.Output.Length, conv.Capacity, conv.OutputBuffer);
                }
                else if (norm is not null)
                {
                    namedOutputs[norm.Name] = new NamedOutput(norm.Input.Length, norm.Capacity, norm.OutputBuffer);
                }
            }
        }
    }

    public ModelSpec Spec { get; }

    /// <summary>The dense layers in order (observations, reduction and parameters refer to these only).</summary>
    public IReadOnlyList<DenseLayer> Layers => layers;

    /// <summary>The dropout layers that act in training passes (keep &lt; 1), in order.</summary>
    public IReadOnlyList<DropoutLayer> Dropouts => dropouts;

    /// <summary>Whether some dropout layer has keep &lt; 1.</summary>
    public bool HasDropout => dropouts.Length > 0;

    /// <summary>
    /// Whether a training pass differs from an evaluation pass: the model has active dropout or batch normalization. Then
    /// <see cref="Backward"/> needs a <see cref="TrainingForward"/> pass, and the loss of an evaluation pass is not the loss
    /// the gradient belongs to.
    /// </summary>
    public bool TrainingDiffersFromEvaluation => dropouts.Length > 0 || norms.Length > 0;

    /// <summary>The batch normalizations, top-level and inside residual blocks, in forward order.</summary>
    public IReadOnlyList<BatchNormLayer> BatchNorms => norms;

    /// <summary>The convolutions, top-level and inside residual blocks, in forward order.</summary>
    public IReadOnlyList<ConvLayer> Convolutions => convolutions;

    public IReadOnlyList<Parameter> Parameters { get; }

    public int OutputSize => layers[^1].Outputs;

    /// <summary>
    /// Allocates the model for batches of up to <paramref name="capacity"/> rows and draws its initial parameters:
    /// each weight and bias from N(0, std²), std = the layer's (or the model's) InitStd(fan-in), value i of the stream
    /// "init/&lt;model&gt;/&lt;layer&gt;/weight|bias" for element i (row-major). Drawn in float64, then rounded.
    /// <paramref name="seed"/> also keys the dropout masks (<see cref="DropoutMask"/>).
    /// </summary>
    public static FeedForwardModel Create(IDevice device, ModelSpec spec, ulong seed, int capacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stages = AllocateStages(device, spec, seed, capacity);
        var model = new FeedForwardModel(device, spec, stages);
        foreach (var conv in model.convolutions)
        {
            var std = (conv.Spec.InitStd ?? spec.DefaultInitStd)(conv.FanIn);
            Initialize(device, conv.Weight, conv.Shape.WeightLength, std, new RandomStream(seed, $"init/{spec.Name}/{conv.Name}/weight"));
            if (conv.Bias is not null)
            {
                Initialize(device, conv.Bias, conv.Spec.Width, std, new RandomStream(seed, $"init/{spec.Name}/{conv.Name}/bias"));
            }
        }

        foreach (var layer in stages.Where(s => s.Dense is not null).Select(s => s.Dense!))
        {
            var std = (layer.Spec.InitStd ?? spec.DefaultInitStd)(layer.Inputs);
            Initialize(device, layer.Weight, layer.Outputs * layer.Inputs, std, new RandomStream(seed, $"init/{spec.Name}/{layer.Name}/weight"));
            if (layer.Bias is not null)
            {
                Initialize(device, layer.Bias, layer.Outputs, std, new RandomStream(seed, $"init/{spec.Name}/{layer.Name}/bias"));
            }
        }

        if (spec.Antisymmetric)
        {
            model.MakeAntisymmetric();
        }

        return model;
    }

    /// <summary>
    /// The floats one row of a batch occupies in the model's activation buffers, counted as four per output value of every
    /// layer (output, pre-activation and their gradients): what sizing a batch against memory needs, before allocating.
    /// </summary>
    public static long ActivationFloatsPerRow(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var shape = spec.InputShape ?? new ImageShape(1, 1, spec.InputSize);
        long total = 0;
        foreach (var layer in spec.Layers)
        {
            if (layer.Kind == LayerKind.Residual)
            {
                total += ResidualBlock.FloatsPerRow(layer, shape);
            }

            shape = layer.Kind switch
            {
                LayerKind.Dense => new ImageShape(1, 1, layer.Width),
                LayerKind.Conv => ConvLayer.OutputOf(layer, shape),
                LayerKind.MaxPool or LayerKind.AvgPool => PoolLayer.OutputOf(layer, shape),
                LayerKind.Residual => ResidualBlock.OutputOf(layer, shape),
                _ => shape,
            };
            total += 4L * shape.Length;
        }

        return total;
    }

    /// <summary>See <see cref="ModelSpec.Antisymmetric"/>: pairs the last hidden layer's neurons so the output is exactly zero.</summary>
    private void MakeAntisymmetric()
    {
        if (layers.Length < 2 || layers[^2].Outputs % 2 != 0)
        {
            throw new ArgumentException(
                $"Antisymmetric initialization of model '{Spec.Name}' needs a last hidden dense layer of even width (it pairs its neurons).");
        }

        var (hidden, output) = (layers[^2], layers[^1]);
        var (m, half, inputs, outputs) = (hidden.Outputs, hidden.Outputs / 2, hidden.Inputs, output.Outputs);
        var w = ReadParameter(hidden.Name + ".weight");
        Array.Copy(w, 0, w, half * inputs, half * inputs);
        WriteParameter(hidden.Name + ".weight", w);
        if (hidden.Bias is not null)
        {
            var b = ReadParameter(hidden.Name + ".bias");
            Array.Copy(b, 0, b, half, half);
            WriteParameter(hidden.Name + ".bias", b);
        }

        var a = ReadParameter(output.Name + ".weight");
        for (var o = 0; o < outputs; o++)
        {
            for (var k = 0; k < half; k++)
            {
                a[(o * m) + half + k] = -a[(o * m) + k];
            }
        }

        WriteParameter(output.Name + ".weight", a);
        if (output.Bias is not null)
        {
            WriteParameter(output.Name + ".bias", new double[outputs]);
        }
    }

    /// <summary>
    /// Allocates the model for batches of up to <paramref name="capacity"/> rows with the given parameter values instead of
    /// drawing them (a reduced network, a model to fine-tune): <paramref name="parameters"/> maps every parameter name
    /// ("&lt;layer&gt;.weight", "&lt;layer&gt;.bias") to its values, rounded to float32 on upload; a batch normalization's
    /// running statistics ("&lt;layer&gt;.running_mean", "&lt;layer&gt;.running_var") are taken when given (else they start
    /// as in <see cref="Create"/>). <paramref name="seed"/> keys the dropout masks of training passes (unused without dropout layers).
    /// </summary>
    public static FeedForwardModel FromParameters(
        IDevice device, ModelSpec spec, IReadOnlyDictionary<string, double[]> parameters, int capacity, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parameters);
        var model = new FeedForwardModel(device, spec, AllocateStages(device, spec, seed, capacity));
        try
        {
            foreach (var parameter in model.Parameters)
            {
                if (!parameters.TryGetValue(parameter.Name, out var values))
                {
                    throw new ArgumentException($"No values given for parameter '{parameter.Name}' of model '{spec.Name}'.", nameof(parameters));
                }

                model.WriteParameter(parameter.Name, values);
            }

            foreach (var name in model.state.Keys)
            {
                if (parameters.TryGetValue(name, out var values))
                {
                    model.WriteParameter(name, values);
                }
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return model;
    }

    /// <summary>
    /// An evaluation pass: runs X (rows×InputSize) through every layer, dropout off and batch normalization with its running
    /// statistics, and returns the output buffer (rows×OutputSize). A following <see cref="Backward"/> is allowed only when
    /// <see cref="TrainingDiffersFromEvaluation"/> is false.
    /// </summary>
    public DeviceBuffer Forward(DeviceBuffer x, int rows)
    {
        trainingPassReady = false;
        return Pass(x, rows, training: false, step: 0);
    }

    /// <summary>
    /// A training pass for optimizer update <paramref name="step"/> (0-based; it selects the dropout masks): like
    /// <see cref="Forward"/>, with every dropout layer applied and every batch normalization using the batch's statistics
    /// (and moving its running statistics toward them: each call is one update of them, as in PyTorch's train mode). Without
    /// dropout and batch normalization it is <see cref="Forward"/>.
    /// </summary>
    public DeviceBuffer TrainingForward(DeviceBuffer x, int rows, long step)
    {
        if (!TrainingDiffersFromEvaluation)
        {
            return Forward(x, rows);
        }

        var output = Pass(x, rows, training: true, step);
        trainingPassReady = true;
        return output;
    }

    private DeviceBuffer Pass(DeviceBuffer x, int rows, bool training, long step)
    {
        var current = x;
        foreach (var stage in stages)
        {
            current = stage.Dense?.Forward(current, rows) ?? stage.Conv?.Forward(current, rows) ?? stage.Pool?.Forward(current, rows)
                ?? stage.Norm?.Forward(current, rows, training) ?? stage.Block?.Forward(current, rows, training)
                ?? (training ? stage.Dropout!.Forward(current, rows, step) : current);
        }

        return ApplyOutputScale(current, current, rows);
    }

    /// <summary>
    /// Back-propagates dL/dOutput (rows×OutputSize) from the last forward pass of <paramref name="x"/> (a training pass
    /// when <see cref="TrainingDiffersFromEvaluation"/>: the same masks and batch statistics), filling every gradient.
    /// </summary>
    public void Backward(DeviceBuffer x, DeviceBuffer outputGradient, int rows)
    {
        if (TrainingDiffersFromEvaluation && !trainingPassReady)
        {
            throw new InvalidOperationException(
                $"Model '{Spec.Name}' has dropout or batch normalization: Backward needs a TrainingForward pass (its masks and batch statistics), but the last pass was an evaluation pass.");
        }

        // f = s·out: the last layer's output gradient is s times the model's (into a buffer of ours, not the caller's).
        var upstream = scaledGradient is null ? outputGradient : ApplyOutputScale(outputGradient, scaledGradient, rows);
        var s = stages.Length - 1;
        if (s >= 1 && stages[s].Dense is { } head && stages[s - 1].Dense is { } below && below.CanFuseWithScalarHead(head))
        {
            // A scalar output head and the layer below it in one sweep: dA of the lower layer is never materialized. Only
            // when the head reads that layer's output directly: a dropout between them disables the fusion.
            var headGradient = head.HeadGradient(upstream, rows);
            var dxBelow = s - 1 > firstDense ? outputGradients[s - 2] : null;
            below.BackwardWithScalarHead(Input(s - 1, x), head, headGradient, dxBelow, rows);
            upstream = dxBelow!;
            s -= 2;
        }

        for (; s >= 0; s--)
        {
            // Below the first layer with parameters nothing needs an input gradient.
            var dx = s > firstDense ? outputGradients[s - 1] : null;
            if (stages[s].Dense is { } dense)
            {
                dense.Backward(Input(s, x), upstream, dx, rows);
            }
            else if (stages[s].Conv is { } conv)
            {
                conv.Backward(Input(s, x), upstream, dx, rows);
            }
            else if (stages[s].Norm is { } norm)
            {
                norm.Backward(Input(s, x), upstream, dx, rows);
            }
            else if (stages[s].Block is { } block)
            {
                block.Backward(Input(s, x), upstream, dx, rows);
            }
            else if (stages[s].Pool is { } pool)
            {
                if (dx is not null)
                {
                    pool.Backward(upstream, dx, rows);
                }
            }
            else if (dx is not null)
            {
                stages[s].Dropout!.Backward(upstream, dx, rows);
            }

            upstream = dx!;
        }
    }

    /// <summary>
    /// Floats per row of the outputs of the dense, convolution, pooling or batch-normalization layer or residual block
    /// <paramref name="layer"/> (a layer inside a block by its full name, "layer4.1.conv2").
    /// </summary>
    public int OutputWidthOf(string layer) => OutputNamed(layer).Width;

    /// <summary>
    /// Copies the outputs (post-activation) of layer <paramref name="layer"/> from the last forward pass to the host: the
    /// first destination.Length / <see cref="OutputWidthOf"/> rows, row-major (a convolution's row is C×P×Q).
    /// </summary>
    public void DownloadOutputOf(string layer, Span<float> destination)
    {
        var output = OutputNamed(layer);
        if (destination.Length % output.Width != 0 || destination.Length > output.Capacity * output.Width)
        {
            throw new ArgumentException($"{destination.Length} floats are not whole rows of layer '{layer}' (width {output.Width}, {output.Capacity} rows).", nameof(destination));
        }

        device.Download(output.Buffer, destination);
    }

    /// <summary>The convolution layer named <paramref name="name"/> (inside a residual block: its full name), or null.</summary>
    public ConvLayer? Convolution(string name) => Array.Find(convolutions, conv => conv.Name == name);

    /// <summary>The batch-normalization layer named <paramref name="name"/> (inside a residual block: its full name), or null.</summary>
    public BatchNormLayer? BatchNorm(string name) => Array.Find(norms, norm => norm.Name == name);

    /// <summary>The layer named <paramref name="name"/>, or null.</summary>
    public DenseLayer? Layer(string name) => Array.Find(layers, layer => layer.Name == name);

    /// <summary>
    /// The current values of parameter <paramref name="name"/> (e.g. "hidden.weight"), or of a batch normalization's running
    /// statistics ("bn1.running_mean", "bn1.running_var"), widened to float64.
    /// </summary>
    public double[] ReadParameter(string name)
    {
        var parameter = ParameterNamed(name);
        return ReadDouble(parameter.Value, parameter.Length);
    }

    /// <summary>
    /// Replaces the values of parameter <paramref name="name"/> (or of running statistics, see <see cref="ReadParameter"/>);
    /// they are rounded to float32, the device's precision.
    /// </summary>
    public void WriteParameter(string name, ReadOnlySpan<double> values)
    {
        var parameter = ParameterNamed(name);
        if (values.Length != parameter.Length)
        {
            throw new ArgumentException($"Parameter '{name}' holds {parameter.Length} values, not {values.Length}.", nameof(values));
        }

        var rounded = new float[values.Length];
        for (var i = 0; i < rounded.Length; i++)
        {
            rounded[i] = (float)values[i];
        }

        device.Upload(rounded, parameter.Value);
    }

    /// <summary>A host copy of a device buffer, widened to float64 (observations only; never in the training loop).</summary>
    public double[] ReadDouble(DeviceBuffer buffer, int length)
    {
        var values = new float[length];
        device.Download(buffer, values);
        return Array.ConvertAll(values, v => (double)v);
    }

    public void Dispose()
    {
        foreach (var layer in layers)
        {
            layer.Dispose();
        }

        foreach (var dropout in dropouts)
        {
            dropout.Dispose();
        }

        foreach (var conv in convolutions)
        {
            conv.Dispose();
        }

        foreach (var pool in pools)
        {
            pool.Dispose();
        }

        foreach (var stage in stages)
        {
            stage.Norm?.Dispose();
            stage.Block?.Dispose();
        }

        foreach (var buffer in outputGradients)
        {
            buffer?.Dispose();
        }

        scaleFactors?.Dispose();
        scaledGradient?.Dispose();
    }

    /// <summary>
    /// destination = <see cref="ModelSpec.OutputScale"/> · source over rows×OutputSize (in place when they are the same buffer);
    /// returns destination. Scaling the last layer's output in place is safe: its backward pass reads Z, never A.
    /// </summary>
    private DeviceBuffer ApplyOutputScale(DeviceBuffer source, DeviceBuffer destination, int rows)
    {
        if (scaleFactors is not null)
        {
            device.Multiply(source, scaleFactors, destination, rows * OutputSize);
        }

        return destination;
    }

    /// <summary>The input of stage <paramref name="s"/> in the last training pass: X, or the output of the stage before.</summary>
    private DeviceBuffer Input(int s, DeviceBuffer x) => s == 0 ? x : stages[s - 1].Output;

    private NamedOutput OutputNamed(string layer) =>
        namedOutputs.TryGetValue(layer, out var output)
            ? output
            : throw new ArgumentException($"Model '{Spec.Name}' has no dense, convolution, pooling or batch-normalization layer or residual block '{layer}'.", nameof(layer));

    private Parameter ParameterNamed(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name)
        ?? state.GetValueOrDefault(name)
        ?? throw new ArgumentException($"Model '{Spec.Name}' has no parameter '{name}'.", nameof(name));

    /// <summary>
    /// The layers of <paramref name="spec"/>, allocated (zero-filled) for <paramref name="capacity"/> rows; dropout layers
    /// with keep = 1 are left out (they do nothing), the others keyed by <paramref name="seed"/>.
    /// </summary>
    private static Stage[] AllocateStages(IDevice device, ModelSpec spec, ulong seed, int capacity)
    {
        if (!spec.Layers.Any(layer => layer.Kind == LayerKind.Dense))
        {
            throw new ArgumentException($"Model '{spec.Name}' has no dense layers.", nameof(spec));
        }

        var stages = new List<Stage>();
        try
        {
            // What each layer receives: an image after a convolution (or at the input, when declared one), else a vector.
            var shape = spec.InputShape ?? new ImageShape(1, 1, spec.InputSize);
            if (shape.Length != spec.InputSize)
            {
                throw new ArgumentException($"Model '{spec.Name}' declares {spec.InputSize} inputs but an input image of {shape.Length}.", nameof(spec));
            }

            // A vector (the model's input without an image shape, or a dense layer's output) is normalized per feature.
            var vector = spec.InputShape is null;

            foreach (var layerSpec in spec.Layers)
            {
                var inputs = shape.Length;
                switch (layerSpec.Kind)
                {
                    case LayerKind.Dense:
                        stages.Add(new Stage(Dense: new DenseLayer(device, layerSpec, inputs, capacity)));
                        shape = new ImageShape(1, 1, layerSpec.Width);
                        vector = true;
                        break;
                    case LayerKind.Conv:
                        var conv = new ConvLayer(device, layerSpec, shape, capacity);
                        stages.Add(new Stage(Conv: conv));
                        shape = conv.Output;
                        vector = false;
                        break;
                    case LayerKind.MaxPool:
                    case LayerKind.AvgPool:
                        var pool = new PoolLayer(device, layerSpec, shape, capacity);
                        stages.Add(new Stage(Pool: pool));
                        shape = pool.Output;
                        vector = false;
                        break;
                    case LayerKind.BatchNorm:
                        var normalized = vector ? new ImageShape(shape.Length, 1, 1) : shape;
                        stages.Add(new Stage(Norm: new BatchNormLayer(device, layerSpec, normalized, capacity)));
                        break;
                    case LayerKind.Residual:
                        var block = new ResidualBlock(device, layerSpec, shape, capacity);
                        stages.Add(new Stage(Block: block));
                        shape = block.Output;
                        vector = false;
                        break;
                    case LayerKind.Dropout:
                        CheckDropout(spec, layerSpec, inputs);
                        if (layerSpec.Keep < 1)
                        {
                            stages.Add(new Stage(Dropout: new DropoutLayer(device, layerSpec, spec.Name, seed, capacity)));
                        }

                        break;
                    default:
                        throw new NotSupportedException($"Layer '{layerSpec.Name}' of kind {layerSpec.Kind} is not supported by this runtime.");
                }
            }
        }
        catch
        {
            foreach (var stage in stages)
            {
                stage.Dense?.Dispose();
                stage.Dropout?.Dispose();
                stage.Conv?.Dispose();
                stage.Pool?.Dispose();
                stage.Norm?.Dispose();
                stage.Block?.Dispose();
            }

            throw;
        }

        return [.. stages];
    }

    /// <summary>A dropout layer keeps its input's width and needs 0 &lt; keep ≤ 1.</summary>
    private static void CheckDropout(ModelSpec spec, LayerSpec layer, int inputs)
    {
        if (layer.Width != inputs)
        {
            throw new ArgumentException(
                $"Dropout layer '{layer.Name}' of model '{spec.Name}' has width {layer.Width}, but its input has width {inputs}.", nameof(spec));
        }

        DropoutMask.CheckKeep(layer.Keep, layer.Name);
    }

    private static void Initialize(IDevice device, DeviceBuffer buffer, int length, double std, RandomStream stream)
    {
        if (!(std >= 0) || double.IsInfinity(std))
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, $"The initialization std for {stream.Name} must be finite and ≥ 0.");
        }

        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (float)(std * stream.Normal(i));
        }

        device.Upload(values, buffer);
    }

    /// <summary>One layer of the forward order: exactly one of the six is set.</summary>
    private readonly record struct Stage(
        DenseLayer? Dense = null, DropoutLayer? Dropout = null, ConvLayer? Conv = null, PoolLayer? Pool = null,
        BatchNormLayer? Norm = null, ResidualBlock? Block = null)
    {
        /// <summary>The layer's name; null for dropout (its output is not addressable).</summary>
        public string? Name => Dense?.Name ?? Conv?.Name ?? Pool?.Name ?? Norm?.Name ?? Block?.Name;

        /// <summary>Floats per row of the stage's output.</summary>
        public int Width => Dense?.Outputs ?? Conv?.Output.Length ?? Pool?.Output.Length ?? Norm?.Input.Length ?? Block?.Output.Length ?? Dropout!.Width;

        public int Capacity => Dense?.Capacity ?? Conv?.Capacity ?? Pool?.Capacity ?? Norm?.Capacity ?? Block?.Capacity ?? Dropout!.Capacity;

        public bool HasParameters => Dense is not null || Conv is not null || Norm is not null || Block is not null;

        /// <summary>The stage's output in the last training pass.</summary>
        public DeviceBuffer Output => Dense?.Output ?? Conv?.OutputBuffer ?? Pool?.OutputBuffer ?? Norm?.OutputBuffer ?? Block?.OutputBuffer ?? Dropout!.Output;
    }

    /// <summary>A layer's output buffer as <see cref="OutputWidthOf"/> and <see cref="DownloadOutputOf"/> read it.</summary>
    private readonly record struct NamedOutput(int Width, int Capacity, DeviceBuffer Buffer);
}
