using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class SimilarityTests
{
    private const double Tol = 1e-15;

    [Fact]
    public void CosineOfKnownVectors()
    {
        Assert.Equal(0.0, Similarity.Cosine([1, 0], [0, 1]), Tol);
        Assert.Equal(1 / Math.Sqrt(2), Similarity.Cosine([1, 1], [1, 0]), Tol);
        Assert.Equal(0.96, Similarity.Cosine([3, 4], [4, 3]), Tol);
        Assert.Equal(-1.0, Similarity.Cosine([1, 0], [-2, 0]), Tol);
        
        // Tiny weights (small initializations) must not underflow to "zero vector".
        Assert.Equal(1.0, Similarity.Cosine([1e-150, 2e-150], [3e-150, 6e-150]), 1e-12);
    }

    [Fact]
    public void ZeroVectorHasCosineZero()
    {
        Assert.Equal(0.0, Similarity.Cosine([0, 0], [1, 2]));
        Assert.Equal(0.0, Similarity.Cosine([0, 0], [0, 0]));
    }

    [Fact]
    public void MatrixIsSymmetricWithUnitDiagonal()
    {
        // Rows (w, b): (1, 0), (0, 2), (−3, 0), (0, 0).
        double[] rows = [1, 0, 0, 2, -3, 0, 0, 0];
        var d = Similarity.CosineMatrix(rows, 4, 2);
        double[] expected =
        [
            1, 0, -1, 0,
            0, 1, 0, 0,
            -1, 0, 1, 0,
            0, 0, 0, 1,
        ];
        Assert.Equal(expected, d);
    }

    [Fact]
    public void BiasTakesPartInTheCosine()
    {
        // Same w, opposite b: (1, 1) and (1, −1) are orthogonal.
        var rows = Directions.WithBias([1, 1], 2, 1, [1, -1]);
        Assert.Equal(0.0, Similarity.CosineMatrix(rows, 2, 2)[1], Tol);
    }

    [Fact]
    public void OutputSimilarityComparesColumns()
    {
        // 3 samples × 2 channels: columns (1, 2, 3) and (2, 4, 6) are parallel.
        double[] values = [1, 2, 2, 4, 3, 6];
        var d = Similarity.CosineMatrixOfColumns(values, 3, 2);
        Assert.Equal(1.0, d[1], Tol);
        Assert.Equal(1.0, d[2], Tol);
    }
}
