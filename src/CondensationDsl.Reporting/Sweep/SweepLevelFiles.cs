using CondensationDsl.Reporting.Figures;
using CondensationDsl.Reporting.Report;

namespace CondensationDsl.Reporting.Sweep;

/// <summary>
/// The sweep-level results a sweep.json asks for, written into the sweep folder: phase_diagram.csv, figures/phase_diagram.png
/// and .svg; loss_spectrum.csv, figures/loss_spectrum.png and .svg; and expectations.json (the sweep-level `expect` results;
/// the folder is not a run folder, its cells are the cell-* subfolders, so the name does not clash).
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
        var experiment = cells.Select(cell => cell.Run.Experiment).FirstOrDefault(name => name is not null) ?? "experiment";
        var csv = Path.Combine(sweepDirectory, SweepSummary.PhaseDiagramCsvFileName);
        IReadOnlyList<PhaseDiagramTable.Group> groups = [];
        string? png = null;
        if (spec.PhaseDiagram is { } phaseDiagram)
        {
            groups = PhaseDiagramTable.Compute(cells, phaseDiagram);
            AtomicFile.WriteAllText(csv, PhaseDiagramTable.RenderCsv(groups));
            png = PhaseDiagramFigure.Write(sweepDirectory, experiment, phaseDiagram.Layer, groups);
        }
        else
        {
            // An earlier sweep into this folder may have declared a phase diagram; its points are not this sweep's.
            RemoveStale(sweepDirectory, csv, PhaseDiagramFigure.FileStem);
        }

        var spectrumCsv = Path.Combine(sweepDirectory, SweepSummary.LossSpectrumCsvFileName);
        IReadOnlyList<LossSpectrumTable.Group> spectra = [];
        string? spectrumPng = null;
        if (spec.LossSpectrum is { } lossSpectrum)
        {
            spectra = LossSpectrumTable.Compute(cells, lossSpectrum);
            AtomicFile.WriteAllText(spectrumCsv, LossSpectrumTable.RenderCsv(spectra, lossSpectrum));
            spectrumPng = LossSpectrumFigure.Write(sweepDirectory, experiment, lossSpectrum, spectra);
        }
        else
        {
            RemoveStale(sweepDirectory, spectrumCsv, LossSpectrumFigure.FileStem);
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

        return spec.PhaseDiagram is null && spec.LossSpectrum is null && results.Count == 0
            ? null
            : new SweepLevelSummary(spec.PhaseDiagram, groups, png, results, spec.LossSpectrum, spectra, spectrumPng);
    }

    /// <summary>A summary this sweep does not declare: its CSV and figure files, if an earlier sweep into the folder wrote them.</summary>
    private static void RemoveStale(string sweepDirectory, string csv, string figureStem)
    {
        File.Delete(csv);
        SweepFigureFiles.Delete(sweepDirectory, figureStem);
    }
}
