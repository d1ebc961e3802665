using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Tests;

/// <summary>model.json as a real training run writes it through the Runtime's Trainer and a RunFolder sink.</summary>
public class ModelFileTests
{
    internal static ModelSpec ThreeLayer() => new("net", 1, [
        new LayerSpec("first", LayerKind.Dense, 8, Activation.Relu, true, null),
        new LayerSpec("second", LayerKind.Dense, 6, Activation.X2Tanh, false, null),
        new LayerSpec("out", LayerKind.Dense, 1, Activation.Linear, false, null)], _ => 0.1);

    /// <summary>Trains <see cref="ThreeLayer"/> for 20 epochs into <paramref name="directory"/>, observing clusters every 10.</summary>
    internal static void Train(string directory)
    {
        using var run = RunFolder.At(directory, "model_test");
        run.Start(new RunInfo("0.1.0-test", "cpu (test)", 1, new Dictionary<string, double>()) { GitCommit = "abc1234" });
        using var device = new CpuDevice(1);
        var context = new RunContext(device, new Dictionary<string, double>(), run, null, CancellationToken.None);
        var data = new GridDataSpec("train", -1, 1, 16, x => Fn.Relu(x[0]));
        var training = new TrainingSpec(LossKind.Mse, new GdSpec(0.05), DurationUnit.Epochs, 20, null);
        ObservationSpec[] observations =
        [
            new(new EveryScheduleSpec(10), [new LossMeasure(), new ClustersMeasure("first", 0.99, false, 0.01, 0.9), new ClustersMeasure("second", 0.99, false, 0.01, 0.9)]),
        ];
        Trainer.Run(context, ThreeLayer(), data, training, observations);
        run.Complete();
    }

    [Fact]
    public void TrainingRunWritesModelJsonWithMultiplicities()
    {
        using var dir = new TempDirectory();
        Train(dir.Path);

        var model = ModelFile.Read(dir.Path);
        Assert.NotNull(model);
        Assert.Empty(dir.TempFiles());
        Assert.Equal("net", model.Name);
        Assert.Equal(1, model.InputSize);
        Assert.Equal(
            [
                new LayerDescription("first", "dense", 8, "relu", true, null, null),
                new LayerDescription("second", "dense", 6, "x2tanh", false, 3, 6),
                new LayerDescription("out", "dense", 1, "linear", false, 1, 2),
            ],
            model.Layers);

        var text = File.ReadAllText(ModelFile.PathIn(dir.Path));
        Assert.Contains("\"multiplicity\": null", text);
        Assert.Contains("\"condensedDirectionsBound\": 6", text);
    }

    [Theory]
    [InlineData(Activation.Linear, 1)]
    [InlineData(Activation.Tanh, 1)]
    [InlineData(Activation.Sigmoid, 1)]
    [InlineData(Activation.Softplus, 1)]
    [InlineData(Activation.XTanh, 2)]
    [InlineData(Activation.X2Tanh, 3)]
    public void EveryBuiltInSmoothActivationHasItsMultiplicity(Activation activation, int p)
    {
        var layer = ModelDescription.From(new ModelSpec("m", 1, [new LayerSpec("h", LayerKind.Dense, 2, activation, true, null)], _ => 1)).Layers[0];
        Assert.Equal(p, layer.Multiplicity);
        Assert.Equal(2 * p, layer.DirectionBound);
    }

    [Fact]
    public void SerializeAndParseRoundTrip()
    {
        var model = ModelDescription.From(ThreeLayer());
        var back = ModelFile.Parse(ModelFile.Serialize(model));
        Assert.Equal(model.Name, back.Name);
        Assert.Equal(model.InputSize, back.InputSize);
        Assert.Equal(model.Layers, back.Layers);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"model\": \"m\", \"inputSize\": 1, \"layers\": [{\"name\": \"h\"}]}")]
    public void MalformedModelJsonIsAFormatException(string text) => Assert.Throws<FormatException>(() => ModelFile.Parse(text));

    [Fact]
    public void MissingModelJsonReadsAsNull()
    {
        using var dir = new TempDirectory();
        Assert.Null(ModelFile.Read(dir.Path));
    }
}
