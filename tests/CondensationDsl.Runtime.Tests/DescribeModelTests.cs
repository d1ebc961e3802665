using CondensationDsl.Runtime.Devices;
using CondensationDsl.Runtime.Devices.Cpu;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Runtime.Tests;

public class DescribeModelTests
{
    /// <summary>Records the order of sink calls.</summary>
    private sealed class OrderSink : IRunSink
    {
        public List<string> Calls { get; } = [];

        public ModelSpec? Model { get; private set; }

        public void BeginMetrics(IReadOnlyList<string> columns) => Calls.Add("begin");

        public void AppendMetrics(long step, double epoch, IReadOnlyList<double> values) => Calls.Add($"row {step}");

        public void WriteArray(string name, IReadOnlyList<int> shape, ReadOnlySpan<double> data) => Calls.Add("array");

        public void RestartAfterDivergence(DivergenceRetry retry) => Calls.Add("restart");

        public void DescribeModel(ModelSpec model)
        {
            Model = model;
            Calls.Add("model");
        }
    }

    private static readonly GridDataSpec Grid = new("train", -1, 1, 10, x => x[0]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainingDescribesTheModelOnceBeforeTheFirstObservation(bool miniBatch)
    {
        var sink = new OrderSink();
        using var device = new CpuDevice(1);
        var model = TrainerTests.TwoLayer(4, 0.1, Activation.Tanh);
        OptimizerSpec optimizer = miniBatch ? new SgdSpec(0.1, 5) : new GdSpec(0.1);
        var training = new TrainingSpec(LossKind.Mse, optimizer, DurationUnit.Epochs, 3, null);

        Trainer.Run(new RunContext(device, new Dictionary<string, double>(), sink, null, default), model, Grid, training,
            [new ObservationSpec(new EveryScheduleSpec(1), [new LossMeasure()])]);

        Assert.Same(model, sink.Model);
        Assert.Equal(1, sink.Calls.Count(c => c == "model"));
        Assert.Equal(["model", "begin", "row 0"], sink.Calls.Take(3));
    }

    [Fact]
    public void SinksWithoutDescribeModelStillWork()
    {
        // MemorySink does not implement DescribeModel: the interface's default no-op applies.
        IRunSink sink = new MemorySink();
        sink.DescribeModel(TrainerTests.TwoLayer(2, 0.1));
        Assert.Empty(((MemorySink)sink).Rows);
    }
}
