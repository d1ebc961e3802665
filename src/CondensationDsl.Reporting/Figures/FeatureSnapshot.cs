namespace CondensationDsl.Reporting.Figures;

/// <summary>A features array (m rows of θ in radians, amplitude A, static flag 0/1) at one step.</summary>
internal sealed record FeatureSnapshot(long Step, double[] Theta, double[] Amplitude, bool[] Static)
{
    public int Count => Theta.Length;

    public int StaticCount => Static.Count(s => s);

    /// <summary>The snapshot, or null when the array is not (m, 3).</summary>
    public static FeatureSnapshot? From(SnapshotArray array)
    {
        if (array.Shape.Length != 2 || array.Shape[1] != 3 || array.Shape[0] == 0)
        {
            return null;
        }

        var m = array.Shape[0];
        var theta = new double[m];
        var amplitude = new double[m];
        var isStatic = new bool[m];
        for (var k = 0; k < m; k++)
        {
            theta[k] = array.Data[3 * k];
            amplitude[k] = array.Data[(3 * k) + 1];
            isStatic[k] = array.Data[(3 * k) + 2] != 0;
        }

        return new FeatureSnapshot(array.Step, theta, amplitude, isStatic);
    }

    /// <summary>The plotted y of neuron k: A, or log10 A (NaN when A ≤ 0, which a log axis cannot show).</summary>
    public double Y(int k, bool logAmplitude) => logAmplitude ? LogAxis.Log10(Amplitude[k]) : Amplitude[k];
}
