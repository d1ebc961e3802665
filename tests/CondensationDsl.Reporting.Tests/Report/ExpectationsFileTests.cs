using CondensationDsl.Reporting.Report;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Tests.Report;

public class ExpectationsFileTests
{
    internal static readonly ExpectationResult[] Sample =
    [
        new(new Expectation("clusters.hidden", 1000, ComparisonOperator.LessOrEqual, 4, "expect clusters(hidden) at 1000 <= 4", 27), 3, true, "clusters.hidden at 1000 = 3 (expected <= 4)"),
        new(new Expectation("clusters.hidden", null, ComparisonOperator.GreaterOrEqual, 3, "expect clusters(hidden) at end >= 3", 28), null, false, "clusters.hidden at end: never measured (expected >= 3)"),
        new(new Expectation("loss", null, ComparisonOperator.Less, 1e-3, "expect loss at end < 1e-3", 29), double.PositiveInfinity, false, "loss at end (step 7) = ∞ (expected < 0.001)"),
        new(new Expectation("reldis.hidden", 0, ComparisonOperator.NotEqual, 0.1 + 0.2, "expect reldis(hidden) at 0 != 0.30000000000000004", 30), 0.123456789012345678, true, "<b>&'\""),
    ];

    [Fact]
    public void RoundTripKeepsEveryField()
    {
        using var dir = new TempDirectory();
        ExpectationsFile.Write(dir.Path, Sample);
        Assert.Empty(dir.TempFiles());
        var read = ExpectationsFile.Read(dir.Path);
        Assert.Equal(Sample, read);
    }

    [Fact]
    public void FileHasTheDocumentedFields()
    {
        var json = ExpectationsFile.Serialize(Sample[..2]);
        foreach (var field in new[] { "\"expectation\"", "\"metric\"", "\"step\": 1000", "\"step\": \"end\"", "\"operator\": \"\\u003C=\"", "\"expected\": 4", "\"actual\": 3", "\"actual\": null", "\"passed\": true", "\"passed\": false", "\"message\"" })
        {
            Assert.Contains(field, json);
        }
    }

    [Fact]
    public void AbsentFileIsAnEmptyList()
    {
        using var dir = new TempDirectory();
        Assert.Empty(ExpectationsFile.Read(dir.Path));
    }

    [Fact]
    public void RewriteReplacesTheFile()
    {
        using var dir = new TempDirectory();
        ExpectationsFile.Write(dir.Path, Sample);
        ExpectationsFile.Write(dir.Path, Sample[..1]);
        Assert.Single(ExpectationsFile.Read(dir.Path));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[{\"metric\": \"loss\"}]")]
    [InlineData("[{\"expectation\": \"e\", \"metric\": \"loss\", \"step\": \"soon\", \"operator\": \"<\", \"expected\": 1, \"actual\": null, \"passed\": true, \"message\": \"m\"}]")]
    [InlineData("[{\"expectation\": \"e\", \"metric\": \"loss\", \"step\": \"end\", \"operator\": \"=~\", \"expected\": 1, \"actual\": null, \"passed\": true, \"message\": \"m\"}]")]
    [InlineData("not json")]
    public void MalformedFileIsAFormatException(string text) =>
        Assert.Throws<FormatException>(() => ExpectationsFile.Parse(text));
}
