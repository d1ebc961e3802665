using CondensationDsl.Reporting.Figures;
using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// The sweep-level results a sweep.json asks for, written into the sweep folder: phase_diagram.csv, figures/phase_diagram.png
/// and .svg, and expectations.json (the sweep-level `expect` results; the folder is not a run folder, its cells are the
/// cell-* subfolders, so the name does not clash).
/// </summary>
internal static class SweepLevelFiles
{
    /// <summary>What sweep.html shows; null when the folder has no sweep.json (then nothing is written or removed).</summary>
    public static SweepLevelSummary? Write(string sweepDirectory, IReadOnlyList<SweepCell> cells)
    {
        if (!File.Exists(SweepSpecFile.PathIn(sweepDirectory)))
        {
            return null;
        }

        var spec = SweepSpecFile.Read(sweepDirectory);
        var csv = Path.Combine(sweepDirectory, SweepSummary.PhaseDiagramCsvFileName);
        IReadOnlyList<PhaseDiagramTable.Group> groups = [];
        string? png = null;
        if (spec.PhaseDiagram is { } phaseDiagram)
        {
            groups = PhaseDiagramTable.Compute(cells, phaseDiagram);
            AtomicFile.WriteAllText(csv, PhaseDiagramTable.RenderCsv(groups));
            var experiment = cells.Select(cell => cell.Run.Experiment).FirstOrDefault(name => name is not null) ?? "experiment";
            png = PhaseDiagramFigure.Write(sweepDirectory, experiment, phaseDiagram.Layer, groups);
        }
        else
        {
            // An earlier sweep into this folder may have declared a phase diagram; its points are not this sweep's.
            File.Delete(csv);
            // File.Delete ignores a missing file but not a missing folder, and a sweep without a phase diagram has no figures/.
            var figures = Path.Combine(sweepDirectory, FigureRenderer.FiguresFolderName);
            if (Directory.Exists(figures))
            {
                foreach (var extension in new[] { ".png", ".svg" })
                {
                    File.Delete(Path.Combine(figures, PhaseDiagramFigure.FileStem + extension));
                }
            }
        }

        var results = SweepExpectations.Evaluate(spec.Expectations, spec.PhaseDiagram, groups);
        if (results.Count > 0)
        {
            ExpectationsFile.Write(sweepDirectory, results);
        }
        else
        {
            File.Delete(ExpectationsFile.PathIn(sweepDirectory));
        }

        return spec.PhaseDiagram is null && results.Count == 0 ? null : new SweepLevelSummary(spec.PhaseDiagram, groups, png, results);
    }
}
