using CondensationDsl.Reporting.Figures;

namespace CondensationDsl.Reporting.Tests.Figures;

public class NeuronOrderTests
{
    /// <summary>Neuron k's group, scrambled so that no group is contiguous by index.</summary>
    private static readonly int[] Groups = [1, 0, 2, 1, 0, 0, 2, 1, 2, 0, 1, 2, 0, 1, 2];

    [Fact]
    public void EigenvectorOrderPutsTwoPlantedGroupsTogether()
    {
        var groups = Groups.Select(g => g % 2).ToArray();
        var (weights, cosine) = Planted(groups, [[1, 0.2, 0.1], [-0.3, 1, 0.4]]);

        var order = NeuronOrder.For(cosine, groups.Length, "eigenvector", 0.95, weights, features: null);

        Assert.False(order.IsClusterOrder);
        AssertContiguous(groups, order.Order);
    }

    [Fact]
    public void ClusterOrderPutsThreePlantedGroupsTogetherIncludingOpposites()
    {
        // Group 2 is the exact opposite of group 0: signed clustering keeps them apart.
        var (weights, cosine) = Planted(Groups, [[1, 0.5, 0], [0, 0.3, 1], [-1, -0.5, 0]]);

        var order = NeuronOrder.For(cosine, Groups.Length, "cluster", 0.95, weights, features: null);

        Assert.True(order.IsClusterOrder);
        Assert.Contains("3 clusters", order.Description, StringComparison.Ordinal);
        AssertContiguous(Groups, order.Order);
    }

    [Fact]
    public void ClusterOrderWithoutWeightsFallsBackToEigenvectorOrder()
    {
        var groups = Groups.Select(g => g % 2).ToArray();
        var (_, cosine) = Planted(groups, [[1, 0, 0], [0, 1, 0]]);

        var order = NeuronOrder.For(cosine, groups.Length, "cluster", 0.95, weights: null, features: null);

        Assert.False(order.IsClusterOrder);
        AssertContiguous(groups, order.Order);
    }

    [Fact]
    public void NaNCosinesDoNotBreakTheOrder()
    {
        var groups = Groups.Select(g => g % 2).ToArray();
        var (_, cosine) = Planted(groups, [[1, 0, 0], [0, 1, 0]]);
        cosine[1] = double.NaN;
        cosine[groups.Length] = double.NaN;

        var order = NeuronOrder.For(cosine, groups.Length, "eigenvector", 0.95, weights: null, features: null);

        Assert.Equal(Enumerable.Range(0, groups.Length), order.Order.Order());
    }

    /// <summary>Each neuron is its group's direction times a different positive length plus a little noise, like weights after condensation.</summary>
    private static (SnapshotArray Weights, double[] Cosine) Planted(int[] groups, double[][] directions)
    {
        var n = groups.Length;
        var dim = directions[0].Length;
        var rows = new double[n * dim];
        for (var k = 0; k < n; k++)
        {
            for (var d = 0; d < dim; d++)
            {
                rows[(k * dim) + d] = (0.5 + (0.1 * k)) * (directions[groups[k]][d] + (1e-4 * Math.Sin(k + d)));
            }
        }

        return (new SnapshotArray("weights", "h", 0, [n, dim], rows), SyntheticRun.Cosines(rows, n, dim));
    }

    /// <summary>In <paramref name="order"/>, the members of each group occupy consecutive positions.</summary>
    private static void AssertContiguous(int[] groups, int[] order)
    {
        Assert.Equal(Enumerable.Range(0, groups.Length), order.Order());
        var sequence = order.Select(k => groups[k]).ToArray();
        var changes = sequence.Zip(sequence.Skip(1)).Count(pair => pair.First != pair.Second);
        Assert.True(changes == groups.Distinct().Count() - 1, $"groups along the order: {string.Join(' ', sequence)}");
    }
}
