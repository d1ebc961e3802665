using CondensationDsl.Analysis;

namespace CondensationDsl.Analysis.Tests;

public class ClusteringTests
{
    private static ClusterResult Cluster(double[] directions, int dimension, double[] amplitudes, bool[]? isStatic = null, double threshold = 0.95, bool signed = true, double negligible = 1e-3) =>
        Clustering.Leader(directions, amplitudes.Length, dimension, amplitudes, isStatic ?? new bool[amplitudes.Length], threshold, signed, negligible);

    [Fact]
    public void TwoIdenticalNeuronsFormOneCluster()
    {
        var result = Cluster([1, 2, 1, 2], 2, [1, 1]);
        Assert.Equal(1, result.ClusterCount);
        Assert.Equal([0, 0], result.Assignment);
        Assert.Equal([2], result.ClusterSizes);
        Assert.Equal([2.0], result.ClusterAmplitudes);
        Assert.Equal([0], result.Leaders);
    }

    [Fact]
    public void OppositeNeuronsAreTwoClustersWhenSigned()
    {
        var result = Cluster([1, 2, -1, -2], 2, [1, 1], signed: true);
        Assert.Equal(2, result.ClusterCount);
        Assert.Equal([0, 1], result.Assignment);
    }

    [Fact]
    public void OppositeNeuronsAreOneClusterWhenUnsigned()
    {
        var result = Cluster([1, 2, -1, -2], 2, [1, 1], signed: false);
        Assert.Equal(1, result.ClusterCount);
        Assert.Equal([0, 0], result.Assignment);
    }

    [Fact]
    public void DeadReluNeuronIsStaticAndExcluded()
    {
        // Neuron 1 (w = −1, b = −2) is dead on x ∈ [0, 1]; it is also the largest, and must not set the negligible cutoff.
        double[] x = [0, 0.5, 1];
        double[] w = [1, -1];
        double[] b = [0.5, -2];
        var isStatic = StaticNeurons.FromDense(x, 3, 1, w, b, 2);
        Assert.Equal([false, true], isStatic);

        var features = Features.OneDimensional(w, b, [0.001, 100], isStatic, AmplitudeConvention.Full);
        var result = Cluster(Directions.WithBias(w, 2, 1, b), 2, features.Amplitude, isStatic);
        Assert.Equal(1, result.StaticCount);
        Assert.Equal(0, result.NegligibleCount);
        Assert.Equal(1, result.ClusterCount);
        Assert.Equal([0, -1], result.Assignment);
    }

    [Fact]
    public void NegligibleNeuronIsExcludedAndCounted()
    {
        // max A = 2; cutoff 1e-3·2 = 2e-3: A = 1e-3 is negligible, A = 2e-3 is not (the rule is strictly "below").
        var result = Cluster([1, 0, 0, 1, -1, 0], 2, [2, 1e-3, 2e-3]);
        Assert.Equal(1, result.NegligibleCount);
        Assert.Equal(0, result.StaticCount);
        Assert.Equal(2, result.ClusterCount);
        Assert.Equal([0, -1, 1], result.Assignment);
    }

    [Fact]
    public void LeadersAreTakenInOrderOfDecreasingAmplitude()
    {
        // Three directions at 0°, 20°, 40°; τ = cos 30°. The 20° neuron is largest, so it leads and both others join it.
        // Taken in index order instead, 0° would lead and 40° would start a second cluster.
        var result = Cluster(Angles(0, 20, 40), 2, [1, 3, 2], threshold: Math.Cos(Deg(30)));
        Assert.Equal(1, result.ClusterCount);
        Assert.Equal([1], result.Leaders);
        Assert.Equal([6.0], result.ClusterAmplitudes);
    }

    [Fact]
    public void NoChainingThroughMembers()
    {
        // 0° leads; 20° joins it (cos 20° ≥ cos 25°); 40° is within 20° of that member but 40° from the leader: new cluster.
        var result = Cluster(Angles(0, 20, 40), 2, [3, 2, 1], threshold: Math.Cos(Deg(25)));
        Assert.Equal(2, result.ClusterCount);
        Assert.Equal([0, 0, 1], result.Assignment);
    }

    [Fact]
    public void ThousandRandomPlaneDirectionsGiveManyClusters()
    {
        // SCIENCE.md §2: at τ = 0.9 single linkage chains 1 000 random 2-D directions into one group. Leader clustering
        // must not: each cluster spans at most 2·arccos 0.9 ≈ 0.902 rad of the circle, so at least 7 are needed.
        var random = new Random(12345);
        const int n = 1000;
        var directions = new double[2 * n];
        var amplitudes = new double[n];
        for (var k = 0; k < n; k++)
        {
            var angle = random.NextDouble() * 2 * Math.PI;
            directions[2 * k] = Math.Cos(angle);
            directions[(2 * k) + 1] = Math.Sin(angle);
            amplitudes[k] = 0.5 + random.NextDouble();
        }

        var result = Cluster(directions, 2, amplitudes, threshold: 0.9);
        Assert.InRange(result.ClusterCount, 7, 14);
        Assert.Equal(1, SingleLinkageComponents(directions, n, 0.9));
    }

    [Fact]
    public void EqualAmplitudesAreOrderedByIndex()
    {
        // 0° and 30° at τ = cos 20°: two clusters either way, but the numbering must follow the index.
        var result = Cluster(Angles(30, 0), 2, [1, 1], threshold: Math.Cos(Deg(20)));
        Assert.Equal([0, 1], result.Assignment);
        Assert.Equal([0, 1], result.Leaders);
    }

    [Fact]
    public void SameInputGivesSameResult()
    {
        var random = new Random(7);
        var directions = new double[3 * 200];
        for (var i = 0; i < directions.Length; i++)
        {
            directions[i] = random.NextDouble() - 0.5;
        }

        // Many exact ties in amplitude exercise the index tie-break.
        var amplitudes = new double[200];
        for (var k = 0; k < amplitudes.Length; k++)
        {
            amplitudes[k] = k % 5;
        }

        var first = Cluster(directions, 3, amplitudes, threshold: 0.8);
        var second = Cluster((double[])directions.Clone(), 3, (double[])amplitudes.Clone(), threshold: 0.8);
        Assert.Equal(first.Assignment, second.Assignment);
        Assert.Equal(first.ClusterAmplitudes, second.ClusterAmplitudes);
        Assert.Equal(first.Leaders, second.Leaders);
        Assert.Equal(40, first.NegligibleCount);
    }

    [Fact]
    public void ZeroDirectionLeadsItsOwnCluster()
    {
        // Unit amplitude but a zero weight vector (possible with the Input convention off): cosine 0 with everyone.
        var result = Cluster([1, 0, 0, 0], 2, [1, 1]);
        Assert.Equal(2, result.ClusterCount);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Cluster([1, 0], 2, [1], threshold: 1.5));
        Assert.Throws<ArgumentException>(() => Cluster([1, 0], 2, [double.NaN]));
        Assert.Throws<ArgumentException>(() => Cluster([1, 0, 1], 2, [1]));
    }

    private static double Deg(double degrees) => degrees * Math.PI / 180;

    private static double[] Angles(params double[] degrees)
    {
        var result = new double[2 * degrees.Length];
        for (var k = 0; k < degrees.Length; k++)
        {
            result[2 * k] = Math.Cos(Deg(degrees[k]));
            result[(2 * k) + 1] = Math.Sin(Deg(degrees[k]));
        }

        return result;
    }

    // The chaining method SCIENCE.md forbids, kept here only to show the test data really would chain.
    private static int SingleLinkageComponents(double[] directions, int n, double threshold)
    {
        var d = Similarity.CosineMatrix(directions, n, 2);
        var seen = new bool[n];
        var components = 0;
        for (var start = 0; start < n; start++)
        {
            if (seen[start])
            {
                continue;
            }

            components++;
            var stack = new Stack<int>([start]);
            seen[start] = true;
            while (stack.Count > 0)
            {
                var i = stack.Pop();
                for (var j = 0; j < n; j++)
                {
                    if (!seen[j] && d[(i * n) + j] >= threshold)
                    {
                        seen[j] = true;
                        stack.Push(j);
                    }
                }
            }
        }

        return components;
    }
}
