using CondensationDsl.Runtime.Program;
using CondensationDsl.Runtime.Random;

namespace CondensationDsl.Runtime.Data;

/// <summary>
/// A materialized training set: n samples of dimension d. Targets are evaluated in float64; the float32 copies are what
/// the device trains on, the float64 ones what observations (static neurons) are computed from. Images are float32 from
/// the start: their float64 copy is made only when something asks for it (8 bytes a pixel: 376 MB for Fashion-MNIST).
/// </summary>
public sealed class Dataset
{
    private readonly Lazy<double[]> inputsDouble;

    private Dataset(string name, int count, int dimension, double[] inputs, double[] targets)
    {
        Name = name;
        Count = count;
        Dimension = dimension;
        inputsDouble = new Lazy<double[]>(inputs);
        TargetsDouble = targets;
        Inputs = Array.ConvertAll(inputs, v => (float)v);
        Targets = Array.ConvertAll(targets, v => (float)v);
    }

    private Dataset(string name, int count, int dimension, float[] inputs, double[] targets)
    {
        Name = name;
        Count = count;
        Dimension = dimension;
        Inputs = inputs;
        inputsDouble = new Lazy<double[]>(() => Array.ConvertAll(inputs, v => (double)v));
        TargetsDouble = targets;
        Targets = Array.ConvertAll(targets, v => (float)v);
    }

    public string Name { get; }

    public int Count { get; }

    public int Dimension { get; }

    /// <summary>X, Count×Dimension row-major.</summary>
    public float[] Inputs { get; }

    /// <summary>y, Count×1.</summary>
    public float[] Targets { get; }

    public double[] InputsDouble => inputsDouble.Value;

    public double[] TargetsDouble { get; }

    /// <summary>Builds the points of <paramref name="spec"/>; uniform data draws from the stream "data/&lt;name&gt;" of <paramref name="seed"/>.</summary>
    public static Dataset Materialize(DataSpec spec, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec switch
        {
            GridDataSpec grid => Grid(grid),
            UniformDataSpec uniform => Uniform(uniform, seed),
            IdxDataSpec idx => Images(idx, seed),
            _ => throw new NotSupportedException($"Data source {spec.GetType().Name} is not supported by this runtime."),
        };
    }

    private static Dataset Grid(GridDataSpec spec)
    {
        if (spec.Points < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Points, $"Data '{spec.Name}' needs at least one point.");
        }

        var x = new double[spec.Points];
        for (var i = 0; i < spec.Points; i++)
        {
            // Both ends exact: the last point is To itself, not From + (n−1)·h with rounding.
            x[i] = spec.Points == 1 ? spec.From
                : i == spec.Points - 1 ? spec.To
                : spec.From + (spec.To - spec.From) * i / (spec.Points - 1);
        }

        return WithTargets(spec, spec.Points, 1, x);
    }

    private static Dataset Uniform(UniformDataSpec spec, ulong seed)
    {
        if (spec.Points < 1 || spec.Dim < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), $"Data '{spec.Name}' needs at least one point of dimension ≥ 1.");
        }

        var stream = new RandomStream(seed, "data/" + spec.Name);
        var x = new double[(long)spec.Points * spec.Dim];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = spec.From + (spec.To - spec.From) * stream.Uniform(i);
        }

        return WithTargets(spec, spec.Points, spec.Dim, x);
    }

    /// <summary>The selected images of the IDX files (see <see cref="IdxDataSpec"/>), standardized, with their labels as targets.</summary>
    private static Dataset Images(IdxDataSpec spec, ulong seed)
    {
        var images = Idx.LabelledImages.Load(spec.ImagesPath, spec.LabelsPath);
        var shape = new ImageShape(images.Channels, images.Rows, images.Columns);
        if (shape != spec.Shape)
        {
            throw new Idx.IdxFormatException(
                spec.ImagesPath,
                $"images are {shape.Channels}×{shape.Height}×{shape.Width}, but data '{spec.Name}' was checked as {spec.Shape.Channels}×{spec.Shape.Height}×{spec.Shape.Width} (the file changed since).");
        }

        if (spec.Take < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Take, $"Data '{spec.Name}': take must be ≥ 0.");
        }

        if (!(spec.Std > 0) || !double.IsFinite(spec.Std) || !double.IsFinite(spec.Mean))
        {
            throw new ArgumentOutOfRangeException(nameof(spec), $"Data '{spec.Name}': the standardization needs a finite mean and a std > 0 (got {spec.Mean}, {spec.Std}).");
        }

        var count = spec.Take == 0 ? images.Count : Math.Min(spec.Take, images.Count);
        var chosen = spec.Shuffle ? Subset(images.Count, count, new RandomStream(seed, "data/" + spec.Name)) : null;
        var length = shape.Length;
        var pixels = new float[(long)count * length];
        var y = new double[count];
        for (var i = 0; i < count; i++)
        {
            var source = chosen?[i] ?? i;
            images.CopyImages(source, 1, pixels.AsSpan(i * length, length));
            y[i] = images.Labels[source];
        }

        if (spec.Mean != 0 || spec.Std != 1)
        {
            var (mean, scale) = ((float)spec.Mean, (float)(1 / spec.Std));
            for (var e = 0; e < pixels.Length; e++)
            {
                pixels[e] = (pixels[e] - mean) * scale;
            }
        }

        return new Dataset(spec.Name, count, length, pixels, y);
    }

    /// <summary>The first <paramref name="count"/> entries of a permutation of 0..total−1 (Fisher–Yates, value i of the stream for swap i).</summary>
    private static int[] Subset(int total, int count, RandomStream stream)
    {
        var order = new int[total];
        for (var i = 0; i < total; i++)
        {
            order[i] = i;
        }

        for (var i = 0; i < count && i < total - 1; i++)
        {
            var j = i + (int)Math.Min(total - i - 1, Math.Floor(stream.Uniform(i) * (total - i)));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order[..count];
    }

    private static Dataset WithTargets(DataSpec spec, int count, int dimension, double[] x)
    {
        var y = new double[count];
        for (var i = 0; i < count; i++)
        {
            y[i] = spec.Target(x.AsSpan(i * dimension, dimension));
        }

        return new Dataset(spec.Name, count, dimension, x, y);
    }
}
