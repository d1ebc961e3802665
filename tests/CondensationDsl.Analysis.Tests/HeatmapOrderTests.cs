using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class HeatmapOrderTests
{
    // Neurons 0, 2, 4 point along +x, neurons 1, 3 along −x, neuron 5 along +y.
    private static readonly double[] Rows = [1, 0, -1, 0, 2, 0, -3, 0, 1, 0, 0, 1];

    [Fact]
    public void LeadingEigenvectorGroupsBlocks()
    {
        var d = Similarity.CosineMatrix(Rows, 6, 2);
        var order = HeatmapOrder.ByLeadingEigenvector(d, 6);

        // ±x groups go to the two ends, the orthogonal neuron (component 0) in between.
        Assert.Equal([1, 3, 5, 0, 2, 4], order);
    }

    [Fact]
    public void OppositePairNeedsUnevenStart()
    {
        // [[1, −1], [−1, 1]]: the all-ones start would be stuck in the null space.
        var v = HeatmapOrder.LeadingEigenvector([1, -1, -1, 1], 2);
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(v[0]), 1e-9);
        Assert.Equal(-v[0], v[1], 1e-9);
    }

    [Fact]
    public void ClusterOrderPutsLeftOutLast()
    {
        var isStatic = new bool[6];
        isStatic[2] = true;
        var clusters = Clustering.Leader(Rows, 6, 2, [1, 2, 1, 3, 1, 1], isStatic, 0.95, true, 1e-3);

        // Leaders by amplitude: 3 (−x, A 3) → cluster 0 = {1, 3}; 0 (+x) → cluster 1 = {0, 4}; 5 (+y) → cluster 2.
        Assert.Equal([3, 1, 0, 4, 5, 2], HeatmapOrder.ByCluster(clusters, Similarity.CosineMatrix(Rows, 6, 2)));
        Assert.Equal([3, 1, 0, 4, 5, 2], HeatmapOrder.ByCluster(clusters));

        // A hand-built result without leaders: within a cluster the order falls back to the neuron index.
        var withoutLeaders = clusters with { Leaders = [] };
        Assert.Equal([1, 3, 0, 4, 5, 2], HeatmapOrder.ByCluster(withoutLeaders));
    }

    [Fact]
    public void PermuteReordersRowsAndColumns()
    {
        double[] m = [1, 2, 3, 4];
        Assert.Equal([4.0, 3.0, 2.0, 1.0], HeatmapOrder.Permute(m, 2, [1, 0]));
    }
}
