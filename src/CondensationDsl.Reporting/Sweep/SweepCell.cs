using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// One cell of a sweep as its run folder records it: run.json, the last value of every metrics column, the `expect`
/// results and the figures. Read from the files alone, so a sweep summary can be rebuilt long after the run.
/// </summary>
internal sealed record SweepCell(
    string Directory,
    RunRecord Run,
    IReadOnlyList<KeyValuePair<string, double>> FinalMetrics,
    IReadOnlyList<ExpectationResult> Expectations,
    IReadOnlyList<string> FigurePngs)
{
    public string Name => Path.GetFileName(Directory);

    public int ExpectationsPassed => Expectations.Count(result => result.Passed);

    public static SweepCell Read(string directory)
    {
        var metricsPath = Path.Combine(directory, RunFolder.MetricsFileName);
        var finals = new List<KeyValuePair<string, double>>();
        if (File.Exists(metricsPath))
        {
            var table = MetricsTable.Read(metricsPath);
            foreach (var column in table.Columns.Where(column => column is not ("step" or "epoch")))
            {
                // The last value a column has: measures taken on different schedules leave NaN in other rows.
                var last = table.Column(column).Reverse().FirstOrDefault(value => !double.IsNaN(value), double.NaN);
                finals.Add(new(column, last));
            }
        }

        var expectations = File.Exists(ExpectationsFile.PathIn(directory)) ? ExpectationsFile.Read(directory) : [];
        var figures = Path.Combine(directory, "figures");
        var pngs = System.IO.Directory.Exists(figures)
            ? System.IO.Directory.GetFiles(figures, "*.png").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];
        return new SweepCell(directory, RunRecord.Read(directory), finals, expectations, pngs);
    }
}
