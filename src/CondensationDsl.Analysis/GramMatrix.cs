namespace CondensationDsl.Analysis;

/// <summary>
/// The Gram matrix G[i,j] = Σ x_i·x_j of channels' output vectors, accumulated block by block in float64, so an output
/// similarity over many images (each channel's outputs over images × positions, SCIENCE.md §2) never needs them all in
/// memory at once.
/// </summary>
public sealed class GramMatrix(int channels)
{
    private readonly double[] sums = new double[checked(channels * channels)];

    // One sample widened to float64, reused from sample to sample.
    private double[] rows = [];

    public int Channels { get; } = channels;

    /// <summary>G as channels×channels, row-major (exactly symmetric).</summary>
    public ReadOnlySpan<double> Values => sums;

    /// <summary>
    /// Adds one sample's outputs: <paramref name="block"/> is channels×<paramref name="positions"/> (a convolution's C×P×Q
    /// output of one image; positions = 1 for a dense layer's outputs of one input).
    /// </summary>
    public void Add(ReadOnlySpan<float> block, int positions)
    {
        Guard.Length(block.Length, Channels * positions, nameof(block));
        if (rows.Length != block.Length)
        {
            rows = new double[block.Length];
        }

        for (var e = 0; e < rows.Length; e++)
        {
            rows[e] = block[e];
        }

        for (var i = 0; i < Channels; i++)
        {
            var ui = rows.AsSpan(i * positions, positions);
            for (var j = i; j < Channels; j++)
            {
                var d = Vectors.Dot(ui, rows.AsSpan(j * positions, positions));
                sums[(i * Channels) + j] += d;
                if (j != i)
                {
                    sums[(j * Channels) + i] += d;
                }
            }
        }
    }
}
