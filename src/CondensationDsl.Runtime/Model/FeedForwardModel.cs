using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Random;

namespace CondensationDsl.Runtime.Model;

/// <summary>A stack of dense layers built from a <see cref="ModelSpec"/>, with explicit forward and backward passes.</summary>
public sealed class FeedForwardModel : IDisposable
{
    private readonly IDevice device;
    private readonly DenseLayer[] layers;
    private readonly DeviceBuffer[] inputGradients;

    private FeedForwardModel(IDevice device, ModelSpec spec, DenseLayer[] layers)
    {
        this.device = device;
        Spec = spec;
        this.layers = layers;
        // dL/dA of layer l is written by layer l+1's backward pass; the last one is the loss gradient, owned by the caller.
        inputGradients = new DeviceBuffer[layers.Length];
        for (var l = 0; l + 1 < layers.Length; l++)
        {
            inputGradients[l] = device.Allocate(layers[l].Capacity * layers[l].Outputs);
        }

        var parameters = new List<Parameter>();
        foreach (var layer in layers)
        {
            parameters.Add(new Parameter(layer.Name + ".weight", layer.Weight, layer.WeightGradient, layer.Outputs * layer.Inputs));
            if (layer.Bias is not null)
            {
                parameters.Add(new Parameter(layer.Name + ".bias", layer.Bias, layer.BiasGradient!, layer.Outputs));
            }
        }

        Parameters = parameters;
    }

    public ModelSpec Spec { get; }

    public IReadOnlyList<DenseLayer> Layers => layers;

    public IReadOnlyList<Parameter> Parameters { get; }

    public int OutputSize => layers[^1].Outputs;

    /// <summary>
    /// Allocates the model for batches of up to <paramref name="capacity"/> rows and draws its initial parameters:
    /// each weight and bias from N(0, std²), std = the layer's (or the model's) InitStd(fan-in), value i of the stream
    /// "init/&lt;model&gt;/&lt;layer&gt;/weight|bias" for element i (row-major). Drawn in float64, then rounded.
    /// </summary>
    public static FeedForwardModel Create(IDevice device, ModelSpec spec, ulong seed, int capacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var layers = AllocateLayers(device, spec, capacity);
        foreach (var layer in layers)
        {
            var std = (layer.Spec.InitStd ?? spec.DefaultInitStd)(layer.Inputs);
            Initialize(device, layer.Weight, layer.Outputs * layer.Inputs, std, new RandomStream(seed, $"init/{spec.Name}/{layer.Name}/weight"));
            if (layer.Bias is not null)
            {
                Initialize(device, layer.Bias, layer.Outputs, std, new RandomStream(seed, $"init/{spec.Name}/{layer.Name}/bias"));
            }
        }

        return new FeedForwardModel(device, spec, layers);
    }

    /// <summary>
    /// Allocates the model for batches of up to <paramref name="capacity"/> rows with the given parameter values instead of
    /// drawing them (a reduced network, a model to fine-tune): <paramref name="parameters"/> maps every parameter name
    /// ("&lt;layer&gt;.weight", "&lt;layer&gt;.bias") to its values, rounded to float32 on upload.
    /// </summary>
    public static FeedForwardModel FromParameters(IDevice device, ModelSpec spec, IReadOnlyDictionary<string, double[]> parameters, int capacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parameters);
        var model = new FeedForwardModel(device, spec, AllocateLayers(device, spec, capacity));
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
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return model;
    }

    /// <summary>Runs X (rows×InputSize) through every layer and returns the output buffer (rows×OutputSize).</summary>
    public DeviceBuffer Forward(DeviceBuffer x, int rows)
    {
        var current = x;
        foreach (var layer in layers)
        {
            current = layer.Forward(current, rows);
        }

        return current;
    }

    /// <summary>Back-propagates dL/dOutput (rows×OutputSize) from the last forward pass of <paramref name="x"/>, filling every gradient.</summary>
    public void Backward(DeviceBuffer x, DeviceBuffer outputGradient, int rows)
    {
        var upstream = outputGradient;
        var l = layers.Length - 1;
        if (l >= 1 && layers[l - 1].CanFuseWithScalarHead(layers[l]))
        {
            // A scalar output head and the layer below it in one sweep: dA of the lower layer is never materialized.
            var headGradient = layers[l].HeadGradient(upstream, rows);
            var dxBelow = l - 1 == 0 ? null : inputGradients[l - 2];
            layers[l - 1].BackwardWithScalarHead(l - 1 == 0 ? x : layers[l - 2].Output, layers[l], headGradient, dxBelow, rows);
            upstream = dxBelow!;
            l -= 2;
        }

        for (; l >= 0; l--)
        {
            var input = l == 0 ? x : layers[l - 1].Output;
            var dx = l == 0 ? null : inputGradients[l - 1];
            layers[l].Backward(input, upstream, dx, rows);
            upstream = dx!;
        }
    }

    /// <summary>The layer named <paramref name="name"/>, or null.</summary>
    public DenseLayer? Layer(string name) => Array.Find(layers, layer => layer.Name == name);

    /// <summary>The current values of parameter <paramref name="name"/> (e.g. "hidden.weight"), widened to float64.</summary>
    public double[] ReadParameter(string name)
    {
        var parameter = ParameterNamed(name);
        return ReadDouble(parameter.Value, parameter.Length);
    }

    /// <summary>Replaces the values of parameter <paramref name="name"/>; they are rounded to float32, the device's precision.</summary>
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

        foreach (var buffer in inputGradients)
        {
            buffer?.Dispose();
        }
    }

    private Parameter ParameterNamed(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"Model '{Spec.Name}' has no parameter '{name}'.", nameof(name));

    /// <summary>The layers of <paramref name="spec"/>, allocated (zero-filled) for <paramref name="capacity"/> rows.</summary>
    private static DenseLayer[] AllocateLayers(IDevice device, ModelSpec spec, int capacity)
    {
        if (spec.Layers.Count == 0)
        {
            throw new ArgumentException($"Model '{spec.Name}' has no layers.", nameof(spec));
        }

        var layers = new DenseLayer[spec.Layers.Count];
        var inputs = spec.InputSize;
        for (var l = 0; l < layers.Length; l++)
        {
            var layerSpec = spec.Layers[l];
            if (layerSpec.Kind != LayerKind.Dense)
            {
                throw new NotSupportedException($"Layer '{layerSpec.Name}' of kind {layerSpec.Kind} is not supported by this runtime.");
            }

            layers[l] = new DenseLayer(device, layerSpec, inputs, capacity);
            inputs = layerSpec.Width;
        }

        return layers;
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
}
