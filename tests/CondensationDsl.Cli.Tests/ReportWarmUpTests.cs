using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CondensationDsl.Cli.Tests;

/// <summary>
/// `cond run` warms the figure renderer up on a background thread during training and draws each snapshot's figures there
/// as soon as the run has written the snapshot (LiveReport); the figures it ends up with must be exactly those
/// `cond report` draws from the files alone, and the warm-up must leave nothing behind.
/// </summary>
public sealed class ReportWarmUpTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    /// <remarks>The quick example ends before most live figures are drawn, the full one (100 000 epochs) draws them live.</remarks>
    [Theory]
    [InlineData("fig1_relu_1d_quick.cond")]
    [InlineData("fig1_relu_1d.cond")]
    public void Figures_of_a_run_equal_those_of_cond_report_and_the_warm_up_leaves_no_files(string example)
    {
        var output = sandbox.NewPath("warm-" + example);
        var run = sandbox.Run("run", Path.Combine(Path.GetDirectoryName(CondSandbox.QuickExample)!, example), "-o", output, "--device", "cpu", "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("Unsupported", run.StdErr); // Skia's SVG writer complaining about the warm-up's figures.

        var figures = Path.Combine(output, "figures");
        var during = Snapshot(figures);
        Assert.Contains(during.Keys, name => name.EndsWith(".png", StringComparison.Ordinal));
        Assert.Contains(during.Keys, name => name.EndsWith(".svg", StringComparison.Ordinal));

        var report = sandbox.Run("report", output);
        Assert.True(report.ExitCode == 0, report.ToString());
        var rebuilt = Snapshot(figures);

        Assert.Equal(during.Keys.Order(StringComparer.Ordinal), rebuilt.Keys.Order(StringComparer.Ordinal));
        Assert.All(during, file => Assert.True(Comparable(file.Key, file.Value) == Comparable(file.Key, rebuilt[file.Key]), $"{file.Key} differs from cond report's"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(sandbox.Root, "tmp"), "cond-warm-up-*"));
    }

    /// <summary>
    /// PNGs byte for byte; SVGs with Skia's clip-path ids renumbered by first appearance: Skia numbers them (in hex) from a
    /// process-wide counter, so they depend on how many figures the process drew before (even two `cond report`s differ).
    /// </summary>
    private static string Comparable(string name, byte[] bytes)
    {
        if (!name.EndsWith(".svg", StringComparison.Ordinal))
        {
            return Convert.ToBase64String(bytes);
        }

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        return Regex.Replace(Encoding.UTF8.GetString(bytes), @"\bcl_[0-9a-f]+\b", match =>
        {
            if (!ids.TryGetValue(match.Value, out var renamed))
            {
                renamed = "clip" + ids.Count.ToString(CultureInfo.InvariantCulture);
                ids.Add(match.Value, renamed);
            }

            return renamed;
        });
    }

    private static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder).ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes, StringComparer.Ordinal);
}
