namespace CondensationDsl.Reporting.Tests;

public class MetricsTableTests
{
    [Fact]
    public void RoundTripsThroughTheRunFolder()
    {
        using var temp = new TempDirectory();
        double[][] written =
        [
            [0.1 + 0.2, double.NaN, 1e-300],
            [double.NaN, 5, -0.0],
            [double.PositiveInfinity, double.NegativeInfinity, Math.PI],
            [1.0 / 3, 123456789.123456789, double.Epsilon],
        ];
        using (var run = RunFolder.At(temp.Path, "e"))
        {
            run.BeginMetrics(["loss", "clusters.hidden", "reldis.hidden"]);
            for (var i = 0; i < written.Length; i++)
            {
                run.AppendMetrics(i * 10, i * 0.5, written[i]);
            }
        }

        var table = MetricsTable.Read(Path.Combine(temp.Path, "metrics.csv"));
        Assert.Equal(["step", "epoch", "loss", "clusters.hidden", "reldis.hidden"], table.Columns);
        Assert.Equal(written.Length, table.Rows.Count);
        for (var i = 0; i < written.Length; i++)
        {
            Assert.Equal(i * 10, table.Rows[i][0]);
            Assert.Equal(i * 0.5, table.Rows[i][1]);
            for (var c = 0; c < 3; c++)
            {
                // Bit-exact, so -0.0 and the NaN-as-empty convention are checked too.
                Assert.Equal(BitConverter.DoubleToInt64Bits(written[i][c]), BitConverter.DoubleToInt64Bits(table.Rows[i][c + 2]));
            }
        }

        Assert.Equal([0.0, 10, 20, 30], table.Column("step"));
        Assert.Equal(-1, table.IndexOf("missing"));
    }

    [Fact]
    public void TruncatedLastLineIsSkipped()
    {
        var table = MetricsTable.Parse("step,epoch,loss\n0,0,1\n10,10,0.5\n20,2");
        Assert.Equal(2, table.Rows.Count);
    }

    [Fact]
    public void MalformedRowNamesTheLine()
    {
        var error = Assert.Throws<FormatException>(() => MetricsTable.Parse("step,epoch,loss\n0,0,1\n10,10\n", "m.csv"));
        Assert.Equal("m.csv:3: 2 cells, the header has 3.", error.Message);
        var notNumber = Assert.Throws<FormatException>(() => MetricsTable.Parse("step,epoch,loss\n0,0,abc\n", "m.csv"));
        Assert.Equal("m.csv:2: 'abc' in column loss is not a number.", notNumber.Message);
    }

    [Fact]
    public void HeaderOnlyHasNoRows() => Assert.Empty(MetricsTable.Parse("step,epoch,loss\n").Rows);
}
