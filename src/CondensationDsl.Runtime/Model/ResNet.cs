using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// The CIFAR-style ResNet-18 (He et al. 2016, as in the common CIFAR code bases, SCIENCE.md §3 row 4) as a list of layers:
/// a 3×3 stem convolution with stride 1 and no max-pool ("conv1", "bn1" with ReLU), four stages of two
/// <see cref="ResidualBlock"/>s with 64k, 128k, 256k, 512k channels ("layer1.0" … "layer4.1"; stride 2 in the first block
/// of stages 2–4, whose shortcut is then a 1×1 convolution with batch normalization), a global average pool ("avgpool")
/// and a dense layer to the classes ("fc"). The names are PyTorch's (torchvision's), so "layer4.1.conv2" is the last
/// convolution. Works for any input image size and channel count (an image of at least 1×1 after three halvings).
/// </summary>
public static class ResNet
{
    /// <summary>Channels of the four stages at width multiplier 1.</summary>
    public static readonly IReadOnlyList<int> BaseChannels = [64, 128, 256, 512];

    /// <summary>Name of the first convolution.</summary>
    public const string FirstConvolution = "conv1";

    /// <summary>Name of the last convolution.</summary>
    public const string LastConvolution = "layer4.1.conv2";

    /// <summary>
    /// ResNet-18's layers with stage widths round(64·<paramref name="width"/>) … round(512·<paramref name="width"/>)
    /// (at least 1; width 0.25 gives 16, 32, 64, 128) and <paramref name="classes"/> outputs; every convolution and the
    /// dense head draw their weights with <paramref name="initStd"/> (null: the model's default), the dense head has a bias.
    /// </summary>
    public static LayerSpec[] Layers18(double width, int classes, InitStdFunction? initStd = null)
    {
        if (!(double.IsFinite(width) && width > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The ResNet-18 width multiplier must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var channels = StageChannels(width);
        var layers = new List<LayerSpec>
        {
            new(FirstConvolution, LayerKind.Conv, channels[0], Activation.Linear, false, initStd) { Kernel = 3, Stride = 1, Padding = 1 },
            new("bn1", LayerKind.BatchNorm, channels[0], Activation.Relu, true, null),
        };
        for (var stage = 0; stage < channels.Length; stage++)
        {
            for (var block = 0; block < 2; block++)
            {
                var stride = stage > 0 && block == 0 ? 2 : 1;
                layers.Add(new LayerSpec($"layer{stage + 1}.{block}", LayerKind.Residual, channels[stage], Activation.Relu, false, initStd) { Stride = stride });
            }
        }

        layers.Add(new LayerSpec("avgpool", LayerKind.AvgPool, 0, Activation.Linear, false, null) { Kernel = 0 });
        layers.Add(new LayerSpec("fc", LayerKind.Dense, classes, Activation.Linear, true, initStd));
        return [.. layers];
    }

    /// <summary>The four stages' channel counts at width multiplier <paramref name="width"/>: round(base·width), at least 1.</summary>
    public static int[] StageChannels(double width) =>
        [.. BaseChannels.Select(channels => Math.Max(1, (int)Math.Round(channels * width, MidpointRounding.AwayFromZero)))];
}
