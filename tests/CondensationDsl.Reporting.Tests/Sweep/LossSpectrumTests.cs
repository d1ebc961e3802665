using CondensationDsl.Reporting.Figures;
using CondensationDsl.Reporting.Sweep;
using CondensationDsl.Runtime.Program;

namespace CondensationDsl.Reporting.Tests.Sweep;

/// <summary>The loss spectrum of a sweep (figure 7) from cell folders written by the real RunFolder: frequencies, CSV, figure, page.</summary>
public sealed class LossSpectrumTests : IDisposable
{
    /// <summary>Five bins of one decade each on [−5, 0]: bin i holds log10(loss) in [−5 + i, −4 + i).</summary>
    private static readonly LossSpectrumSpec Spec = new("m", 5, -5, 0);

    private readonly TempDirectory root = new();
    private int cellCount;

    public void Dispose() => root.Dispose();

    /// <summary>A cell run through RunFolder: width m in run.json, one metrics row per (epoch, loss), the epoch as the step too.</summary>
    private string Cell(double m, int seed, (long Epoch, double Loss)[] curve, RunStatus status = RunStatus.Completed)
    {
        var directory = Path.Combine(root.Path, $"cell-{cellCount++:D3}");
        using var run = RunFolder.At(directory, "spectrum");
        run.Start(new RunInfo("test", "cpu", (ulong)seed, new Dictionary<string, double> { ["m"] = m, ["seed"] = seed }) { GitCommit = "none" });
        run.BeginMetrics(["loss", "reldis.hidden"]);
        foreach (var (epoch, loss) in curve)
        {
            run.AppendMetrics(epoch, epoch, [loss, double.NaN]);
        }

        if (status == RunStatus.Completed)
        {
            run.Complete();
        }
        else
        {
            run.Fail(status, "loss became NaN");
        }

        return directory;
    }

    private static IReadOnlyList<LossSpectrumTable.Group> Table(IEnumerable<string> cells, LossSpectrumSpec? spec = null) =>
        LossSpectrumTable.Compute(cells.Select(SweepCell.Read).ToArray(), spec ?? Spec);

    [Fact]
    public void RowsWeighTheEpochsUpToTheNextRowAndTrialsAreSummed()
    {
        // Recorded every 10 epochs: 0.5 (bin 4) stands for epochs 0–9, 0.05 (bin 3) for 10–19, 0.005 (bin 2) for epoch 20 alone.
        var sparse = Cell(8, 1, [(0, 0.5), (10, 0.05), (20, 0.005)]);
        // Recorded every epoch: 0.5, 0.5, 5e-4 (bin 1), one epoch each.
        var dense = Cell(8, 2, [(0, 0.5), (1, 0.5), (2, 5e-4)]);

        var group = Assert.Single(Table([sparse, dense]));

        Assert.Equal(("8", 8.0, 2, 0, 24L), (group.ByText, group.By, group.Trials, group.CellsNotCompleted, group.Epochs));
        Assert.Equal(new long[] { 0, 1, 1, 10, 12 }, group.Spectrum.Counts());
        var f = group.Spectrum.Frequencies();
        Assert.Equal(12.0 / 24, f[4], 1e-15);
        Assert.Equal(10.0 / 24, f[3], 1e-15);
        Assert.Equal(1.0 / 24, f[2], 1e-15);
        Assert.Equal(1.0 / 24, f[1], 1e-15);
        Assert.Equal(0, f[0]);
    }

    [Fact]
    public void ACurveRecordedEvery10EpochsGivesTheFrequenciesOfOneRecordedEveryEpoch()
    {
        // Loss constant within each decade of epochs: 0.5 for 0–9, 0.05 for 10–19, 0.005 for 20–29, 5e-4 at epoch 30.
        static double Loss(long epoch) => 0.5 * Math.Pow(0.1, epoch / 10);
        var everyEpoch = Table([Cell(4, 1, [.. Enumerable.Range(0, 31).Select(e => ((long)e, Loss(e)))])]);
        var every10 = Table([Cell(5, 1, [.. new long[] { 0, 10, 20, 30 }.Select(e => (e, Loss(e)))])]);

        Assert.Equal(everyEpoch[0].Spectrum.Counts(), every10[0].Spectrum.Counts());
        Assert.Equal(31, every10[0].Epochs);
    }

    [Fact]
    public void WidthsAreGroupsSortedByTheirNumericValue()
    {
        // Created widest first; 10 sorts before 2 as text, so a text sort would swap them.
        var groups = Table([Cell(10, 1, [(0, 0.05)]), Cell(2, 1, [(0, 0.5)]), Cell(10, 2, [(0, 0.05)]), Cell(2, 2, [(0, 0.5)])]);

        Assert.Equal(["2", "10"], groups.Select(g => g.ByText));
        Assert.Equal((2, 2), (groups[0].Trials, groups[1].Trials));
        Assert.Equal(1.0, groups[0].Spectrum.Frequencies()[4]);
        Assert.Equal(1.0, groups[1].Spectrum.Frequencies()[3]);
    }

    [Fact]
    public void CellsNotCompletedAreCountedAndLeftOut()
    {
        var groups = Table([Cell(8, 1, [(0, 0.5), (10, 0.05)]), Cell(8, 2, [(0, 2e-5), (100, 3e-5)], RunStatus.Diverged)]);

        var group = Assert.Single(groups);
        Assert.Equal((1, 1, 11L), (group.Trials, group.CellsNotCompleted, group.Epochs));
        Assert.Equal(0, group.Spectrum.Count(0)); // the diverged cell's 100 epochs in bin 0 are not there
    }

    [Fact]
    public void LossesOffTheRangeOrNotANumberAreCountedApartNotInTheEndBins()
    {
        // 1e-7 (below 1e-5) for 10 epochs, 5 (above 1) for 10, NaN for 10, then 1 epoch at exactly 1e-5 (bin 0 opens there).
        var group = Assert.Single(Table([Cell(8, 1, [(0, 1e-7), (10, 5), (20, double.NaN), (30, 1e-5)])]));

        Assert.Equal((10L, 10L, 10L, 31L), (group.Spectrum.Below, group.Spectrum.Above, group.Spectrum.Invalid, group.Epochs));
        Assert.Equal(new long[] { 1, 0, 0, 0, 0 }, group.Spectrum.Counts());
        Assert.Equal(10.0 / 31, group.Spectrum.BelowFraction, 1e-15);
    }

    [Fact]
    public void CsvHasOneRowPerWidthAndBinWithTheGroupColumns()
    {
        var groups = Table([Cell(8, 1, [(0, 0.5), (10, 0.05), (20, 1e-7)]), Cell(8, 2, [(0, 0.5)], RunStatus.Failed), Cell(2, 1, [(0, 0.5)], RunStatus.Failed)]);

        var csv = LossSpectrumTable.RenderCsv(groups, Spec).Split('\n');

        Assert.Equal("m,trials,cells_not_completed,epochs,below_fraction,above_fraction,invalid_fraction,bin,bin_lo,bin_hi,frequency", csv[0]);
        Assert.Equal(1 + (2 * 5) + 1, csv.Length); // header, 2 widths × 5 bins, "" after the last newline
        Assert.Equal("2,0,1,0,,,,0,-5,-4,", csv[1]); // no completed trial: no fractions rather than zeros
        Assert.Equal("8,1,1,21,0.047619,0,0,0,-5,-4,0", csv[6]);
        Assert.Equal("8,1,1,21,0.047619,0,0,3,-2,-1,0.47619", csv[9]);
        Assert.Equal("8,1,1,21,0.047619,0,0,4,-1,0,0.47619", csv[10]);
        Assert.Equal("", csv[^1]);
    }

    [Fact]
    public void SummaryWritesCsvFigureAndPageSectionFromSweepJson()
    {
        var spec = new LossSpectrumSpec("m", 200, -5, 0);
        string[] cells =
        [
            Cell(1, 1, [(0, 0.3), (500, 0.02), (1500, 0.019), (2000, 1e-3)]),
            Cell(2, 1, [(0, 0.3), (400, 0.02), (1000, 2e-4)]),
            Cell(2, 2, [(0, 0.3), (300, 0.02), (900, 1e-4), (1000, 1e-6)]),
            Cell(30, 1, [(0, 0.3), (100, 0.02), (150, 1e-5)]),
            Cell(30, 2, [(0, double.NaN)], RunStatus.Diverged),
        ];
        SweepSpecFile.Write(root.Path, null, [], spec);
        var html = File.ReadAllText(SweepSummary.Write(root.Path, cells));

        var csv = File.ReadAllLines(Path.Combine(root.Path, SweepSummary.LossSpectrumCsvFileName));
        Assert.Equal(1 + (3 * 200), csv.Length);
        var png = Path.Combine(root.Path, "figures", "loss_spectrum.png");
        var (width, height, _, _) = Report.TestPng.Decode(File.ReadAllBytes(png));
        Assert.Equal((1200, 800), (width, height));
        Assert.True(Report.TestPng.DistinctColours(File.ReadAllBytes(png)) > 20, "a heatmap, not a blank figure");
        var svgPath = Path.Combine(root.Path, "figures", "loss_spectrum.svg");
        Reporting.Tests.Figures.ImageFiles.AssertSvg(svgPath);
        var svg = File.ReadAllText(svgPath);
        Assert.DoesNotContain("NaN", svg);
        Assert.Contains("log10(loss)", svg);
        Assert.Contains("width m", svg);

        var section = html.IndexOf("<section id=\"loss-spectrum\">", StringComparison.Ordinal);
        Assert.True(section > 0 && section < html.IndexOf("<section id=\"cells\">", StringComparison.Ordinal), "loss spectrum before the cells");
        Assert.DoesNotContain("<section id=\"phase-diagram\">", html);
        Assert.Contains("data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(png)), html);
        Assert.Contains("embedding principle", html);
        Assert.Contains("<tr><td>30</td><td class=\"num\">1</td><td class=\"num fail\">1</td>", html);
        Assert.Empty(root.TempFiles());
    }

    [Fact]
    public void WithoutALossSpectrumItsStaleFilesAndSectionGo()
    {
        string[] cells = [Cell(2, 1, [(0, 0.5)])];
        SweepSpecFile.Write(root.Path, null, [], Spec);
        SweepSummary.Write(root.Path, cells);
        Assert.True(File.Exists(Path.Combine(root.Path, "figures", "loss_spectrum.png")));

        SweepSpecFile.Write(root.Path, null, []);
        var html = File.ReadAllText(SweepSummary.Write(root.Path, cells));

        Assert.False(File.Exists(Path.Combine(root.Path, SweepSummary.LossSpectrumCsvFileName)));
        Assert.False(File.Exists(Path.Combine(root.Path, "figures", "loss_spectrum.png")));
        Assert.False(File.Exists(Path.Combine(root.Path, "figures", "loss_spectrum.svg")));
        Assert.DoesNotContain("<section id=\"loss-spectrum\">", html);

        // No figures/ folder at all (a sweep that never drew one): removing nothing must not throw.
        Directory.Delete(Path.Combine(root.Path, "figures"));
        SweepSummary.Write(root.Path, cells);
    }

    [Fact]
    public void SweepJsonRoundTripsTheLossSpectrumAndReadsOldFilesWithoutIt()
    {
        SweepSpecFile.Write(root.Path, new PhaseDiagramSpec("gamma", "gamma_prime", "m", "hidden"), [], new LossSpectrumSpec("width", 200, -5.5, 0.25));
        Assert.Equal(new LossSpectrumSpec("width", 200, -5.5, 0.25), SweepSpecFile.Read(root.Path).LossSpectrum);

        SweepSpecFile.Write(root.Path, null, []);
        Assert.Null(SweepSpecFile.Read(root.Path).LossSpectrum);

        // A sweep.json from before the loss spectrum: no 'lossSpectrum' key at all.
        File.WriteAllText(SweepSpecFile.PathIn(root.Path), "{ \"phaseDiagram\": null, \"expectations\": [] }");
        var old = SweepSpecFile.Read(root.Path);
        Assert.Equal((null, null, 0), (old.PhaseDiagram, old.LossSpectrum, old.Expectations.Count));

        foreach (var bad in new[] { "3", "{ \"by\": \"m\", \"bins\": 0, \"from\": -5, \"to\": 0 }", "{ \"by\": \"m\", \"bins\": 10, \"from\": 0, \"to\": -5 }", "{ \"by\": \"m\", \"bins\": 1.5, \"from\": -5, \"to\": 0 }", "{ \"bins\": 10, \"from\": -5, \"to\": 0 }" })
        {
            File.WriteAllText(SweepSpecFile.PathIn(root.Path), "{ \"phaseDiagram\": null, \"expectations\": [], \"lossSpectrum\": " + bad + " }");
            var error = Assert.Throws<InvalidDataException>(() => SweepSpecFile.Read(root.Path));
            Assert.Contains("lossSpectrum", error.Message);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void Each_width_is_drawn_in_its_labelled_band_and_each_bin_between_its_edges(int widths)
    {
        // Width g spends every epoch in bin g of 4 over log10(loss) in [−4, 0]: its band [g, g + 1) (labelled at g + 0.5)
        // is bright between the bin's edges −4 + g and −3 + g and dark past them.
        var spec = new Runtime.Program.LossSpectrumSpec("m", 4, -4, 0);
        var groups = Enumerable.Range(0, widths).Select(g =>
        {
            var spectrum = new Analysis.LossSpectrum(spec.Bins, spec.From, spec.To);
            spectrum.AddLoss(Math.Pow(10, -3.5 + g), 10);
            return new LossSpectrumTable.Group((g + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), g + 1, [], spectrum, 1, 0);
        }).ToArray();
        using var plot = LossSpectrumFigure.Build(spec, groups);
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(900, 700));
        plot.Render(surface.Canvas, 900, 700);
        using var image = surface.Snapshot();
        using var bitmap = SkiaSharp.SKBitmap.FromImage(image);
        int Light(double x, double y)
        {
            var pixel = plot.GetPixel(new ScottPlot.Coordinates(x, y));
            var colour = bitmap.GetPixel((int)pixel.X, (int)pixel.Y);
            return colour.Red + colour.Green + colour.Blue;
        }

        for (var g = 0; g < widths; g++)
        {
            var left = -4.0 + g;
            var inside = new[] { Light(left + 0.05, g + 0.05), Light(left + 0.95, g + 0.05), Light(left + 0.05, g + 0.95), Light(left + 0.95, g + 0.95) };
            var outside = new[] { Light(left - 0.05, g + 0.5), Light(left + 1.05, g + 0.5) }.Where((_, k) => (k == 0 && g > 0) || (k == 1 && g < 3));
            Assert.All(inside, light => Assert.True(light > outside.DefaultIfEmpty(0).Max() + 100, $"width {g + 1}: {string.Join(", ", inside)} inside, {string.Join(", ", outside)} outside"));
        }
    }

    [Fact]
    public void BrightnessIsLog10OfTheFrequencyFlooredAt1e4()
    {
        Assert.Equal((0.0, -2.0, -4.0, -4.0), (LossSpectrumFigure.Brightness(1), LossSpectrumFigure.Brightness(0.01),
            LossSpectrumFigure.Brightness(1e-6), LossSpectrumFigure.Brightness(0)));
        Assert.Equal(new ScottPlot.Range(-4, 0), LossSpectrumFigure.ColorRange);
    }
}
