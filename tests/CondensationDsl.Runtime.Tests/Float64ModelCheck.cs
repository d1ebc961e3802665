using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Model;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

/// <summary>
/// One check for any model a device builds: on random rows, its forward pass against a float64 forward the test writes
/// out, its mse loss, and every parameter's gradient against central finite differences of that float64 loss.
/// </summary>
internal static class Float64ModelCheck
{
    /// <param name="forward">The float64 forward: parameters in the model's order, the input rows, the outputs.</param>
    public static void Run(IDevice device, ModelSpec spec, int rows, ulong seed, int dataSeed, double inputScale, Func<double[][], float[], double[]> forward, string label)
    {
        using var model = FeedForwardModel.Create(device, spec, seed, capacity: rows);
        var x = Reference.RandomFloats(rows * spec.InputSize, dataSeed, scale: inputScale);
        var y = Reference.RandomFloats(rows, dataSeed + 1);
        using var dx = Reference.Upload(device, x);
        using var dy = Reference.Upload(device, y);
        using var grad = device.Allocate(rows);

        var output = model.Forward(dx, rows);
        var deviceLoss = device.MseLossAndGradient(output, dy, grad, rows);
        model.Backward(dx, grad, rows);

        var parameters = model.Parameters.Select(p => Reference.Download(device, p.Value, p.Length).Select(v => (double)v).ToArray()).ToArray();
        double Loss() => forward(parameters, x).Select((p, i) => (p - y[i]) * (p - y[i])).Sum() / rows;

        var predictions = forward(parameters, x);
        var deviceOutput = Reference.Download(device, output, rows);
        for (var i = 0; i < rows; i++)
        {
            Assert.True(Math.Abs(deviceOutput[i] - predictions[i]) <= 1e-5 * Math.Max(1, Math.Abs(predictions[i])), $"{label} output {i}: {deviceOutput[i]} vs {predictions[i]}");
        }

        var referenceLoss = Loss();
        Assert.True(Math.Abs(deviceLoss - referenceLoss) <= 1e-5 * Math.Max(1, referenceLoss), $"{label} loss {deviceLoss} vs {referenceLoss}");

        for (var p = 0; p < parameters.Length; p++)
        {
            var deviceGradient = Reference.Download(device, model.Parameters[p].Gradient, model.Parameters[p].Length);
            for (var i = 0; i < parameters[p].Length; i++)
            {
                const double h = 1e-6;
                var saved = parameters[p][i];
                parameters[p][i] = saved + h;
                var up = Loss();
                parameters[p][i] = saved - h;
                var down = Loss();
                parameters[p][i] = saved;
                var numeric = (up - down) / (2 * h);
                Assert.True(
                    Math.Abs(deviceGradient[i] - numeric) <= 1e-4 * Math.Max(1, Math.Abs(numeric)),
                    $"{label} {model.Parameters[p].Name}[{i}]: device {deviceGradient[i]}, finite differences {numeric}");
            }
        }
    }
}
