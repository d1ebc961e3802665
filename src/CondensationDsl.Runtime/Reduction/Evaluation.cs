using CondensationDsl.Runtime.Data;
using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;

namespace CondensationDsl.Runtime.Reduction;

/// <summary>A model's predictions on every data point and its mse loss there, as the device computes them in training.</summary>
public sealed record Evaluation(float[] Predictions, double Loss)
{
    /// <summary>
    /// One forward pass of <paramref name="model"/> over all of <paramref name="data"/> on <paramref name="device"/> (the
    /// model's own device), with buffers of its own so no training buffer is disturbed. The loss is the device's, so the
    /// loss before reduction equals the loss training recorded at its last step.
    /// </summary>
    public static Evaluation Of(IDevice device, FeedForwardModel model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (model.OutputSize != 1)
        {
            throw new ArgumentException($"The mse loss compares one output with a scalar target; model '{model.Spec.Name}' has {model.OutputSize} outputs.", nameof(model));
        }

        using var inputs = device.Allocate(data.Count * data.Dimension);
        using var targets = device.Allocate(data.Count);
        using var gradient = device.Allocate(data.Count);
        device.Upload(data.Inputs, inputs);
        device.Upload(data.Targets, targets);
        var output = model.Forward(inputs, data.Count);
        var loss = device.MseLossAndGradient(output, targets, gradient, data.Count);
        var predictions = new float[data.Count];
        device.Download(output, predictions);
        return new Evaluation(predictions, loss);
    }
}
