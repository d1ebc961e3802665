namespace CondensationDsl.Reporting.Figures;

/// <summary>
/// One figure written into a run folder's figures/ directory, as PNG and SVG.
/// <see cref="Kind"/> is "features", "features-snapshot", "cosine" (input weights), "cosine-outputs" (outputs),
/// "clusters" or "loss"; paths are absolute.
/// </summary>
public sealed record FigureFile(string Name, string Kind, string Caption, string PngPath, string SvgPath);
