namespace CondensationDsl.Analysis;

/// <summary>Cosine similarity matrices (SCIENCE.md §2: weight cosine with the bias appended, and output similarity).</summary>
public static class Similarity
{
    /// <summary>D(u, v) = u·v/(‖u‖‖v‖); 0 when either vector is zero.</summary>
    public static double Cosine(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        Guard.Length(v.Length, u.Length, nameof(v));
        return Vectors.Cosine(u, Vectors.Norm(u), v, Vectors.Norm(v));
    }

    /// <summary>Cosine matrix D(u_i, u_j) of the rows of a rows×columns matrix; a zero row gets cosine 0 with everything (1 with itself).</summary>
    public static double[] CosineMatrix(ReadOnlySpan<double> rows, int count, int dimension)
    {
        Guard.NotNegative(count, nameof(count));
        Guard.NotNegative(dimension, nameof(dimension));
        Guard.Length(rows.Length, count * dimension, nameof(rows));
        var norms = new double[count];
        for (var i = 0; i < count; i++)
        {
            norms[i] = Vectors.Norm(rows.Slice(i * dimension, dimension));
        }

        var result = new double[count * count];
        for (var i = 0; i < count; i++)
        {
            // The diagonal is 1 by definition (also for a zero row), so heatmaps show a clean diagonal whatever the rounding.
            result[(i * count) + i] = 1;
            var ui = rows.Slice(i * dimension, dimension);
            for (var j = i + 1; j < count; j++)
            {
                var d = Vectors.Cosine(ui, norms[i], rows.Slice(j * dimension, dimension), norms[j]);

                // Computed once and mirrored: the matrix is exactly symmetric, which the eigenvector ordering relies on.
                result[(i * count) + j] = d;
                result[(j * count) + i] = d;
            }
        }

        return result;
    }

    /// <summary>
    /// Output similarity: <paramref name="values"/> is samples×channels (row-major), e.g. a layer's outputs on N inputs
    /// flattened over (N, H, W) per channel; returns the channels×channels cosine matrix of the columns.
    /// </summary>
    public static double[] CosineMatrixOfColumns(ReadOnlySpan<double> values, int samples, int channels)
    {
        Guard.NotNegative(samples, nameof(samples));
        Guard.NotNegative(channels, nameof(channels));
        Guard.Length(values.Length, samples * channels, nameof(values));
        return CosineMatrix(Transpose(values, samples, channels), channels, samples);
    }

    /// <summary>
    /// The cosine matrix from a Gram matrix G (G[i,j] = u_i·u_j, count×count): G[i,j]/√(G[i,i]G[j,j]); a zero vector gets
    /// cosine 0 with everything and 1 with itself, as in <see cref="CosineMatrix"/>.
    /// </summary>
    public static double[] CosineFromGram(ReadOnlySpan<double> gram, int count)
    {
        Guard.NotNegative(count, nameof(count));
        Guard.Length(gram.Length, count * count, nameof(gram));
        var result = new double[count * count];
        for (var i = 0; i < count; i++)
        {
            result[(i * count) + i] = 1;
            for (var j = i + 1; j < count; j++)
            {
                var norms = Math.Sqrt(gram[(i * count) + i]) * Math.Sqrt(gram[(j * count) + j]);
                var d = norms == 0 ? 0 : Math.Clamp(gram[(i * count) + j] / norms, -1, 1);
                result[(i * count) + j] = d;
                result[(j * count) + i] = d;
            }
        }

        return result;
    }

    /// <summary>
    /// The block measure of a cosine matrix: the fraction of pairs of distinct neurons that point the same way,
    /// D(u_i, u_j) ≥ <paramref name="threshold"/> — the pairs inside the diagonal blocks of an ordered heatmap. Near 0 when
    /// the directions are spread (a random layer), 1 when all neurons share one direction; k equal groups give about 1/k.
    /// Opposite directions do not count (as in signed clustering): two opposite groups of kernels are two blocks, and the
    /// outputs of a ReLU layer, never negative, can only show blocks of the same sign. 0 for fewer than two neurons.
    /// </summary>
    public static double AlignedFraction(ReadOnlySpan<double> cosine, int count, double threshold)
    {
        Guard.NotNegative(count, nameof(count));
        Guard.Length(cosine.Length, count * count, nameof(cosine));
        if (count < 2)
        {
            return 0;
        }

        long aligned = 0;
        for (var i = 0; i < count; i++)
        {
            for (var j = i + 1; j < count; j++)
            {
                if (cosine[(i * count) + j] >= threshold)
                {
                    aligned++;
                }
            }
        }

        return aligned / (count * (count - 1) / 2.0);
    }

    private static double[] Transpose(ReadOnlySpan<double> values, int rows, int columns)
    {
        var result = new double[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = values[(r * columns) + c];
            }
        }

        return result;
    }
}
