using System.Runtime.CompilerServices;

// The figure tests check what cannot be seen in a PNG's bytes (neuron order, the heatmap's colour range, panel limits)
// on the internal builders rather than widening the public API for them.
[assembly: InternalsVisibleTo("CondensationDsl.Reporting.Tests")]
