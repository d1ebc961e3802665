namespace CondensationDsl.Runtime.Random;

/// <summary>
/// One named stream of random numbers. Values are addressed by index, not drawn in sequence: value i of a stream
/// depends only on (root seed, stream name, i), so adding a stream or a consumer never shifts another one.
/// Block j of the counter (c0, c1) = (low, high word of j) yields two float64 uniforms (53 bits each); the pair
/// feeds one Box–Muller transform for two standard normals.
/// </summary>
public sealed class RandomStream
{
    private const double TwoPow53 = 9007199254740992.0;
    private readonly uint k0;
    private readonly uint k1;

    public RandomStream(ulong rootSeed, string name)
    {
        Name = name;
        var key = StreamKey.Derive(rootSeed, name);
        k0 = (uint)key;
        k1 = (uint)(key >> 32);
    }

    public string Name { get; }

    /// <summary>The uniform value in [0, 1) at <paramref name="index"/>.</summary>
    public double Uniform(long index)
    {
        var (a, b) = UniformPair(index >> 1, open: false);
        return (index & 1) == 0 ? a : b;
    }

    /// <summary>The standard normal value at <paramref name="index"/> (Box–Muller in float64).</summary>
    public double Normal(long index)
    {
        var (u1, u2) = UniformPair(index >> 1, open: true);
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var angle = 2.0 * Math.PI * u2;
        return (index & 1) == 0 ? radius * Math.Cos(angle) : radius * Math.Sin(angle);
    }

    /// <summary>Fills <paramref name="destination"/> with the uniforms at indices start, start+1, …</summary>
    public void FillUniform(Span<double> destination, long start = 0)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = Uniform(start + i);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with mean + std · (normals at indices start, start+1, …).</summary>
    public void FillNormal(Span<double> destination, double mean = 0, double std = 1, long start = 0)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = mean + std * Normal(start + i);
        }
    }

    /// <summary>The raw Philox block at counter (block, 0, 0).</summary>
    public (uint X0, uint X1, uint X2, uint X3) Block(long block) => Philox4x32.Block((uint)block, (uint)((ulong)block >> 32), 0, 0, k0, k1);

    /// <param name="open">true: values in (0, 1), safe for log(u) (the midpoint of each 2⁻⁵³ cell); false: [0, 1).</param>
    private (double A, double B) UniformPair(long block, bool open)
    {
        var (x0, x1, x2, x3) = Block(block);
        var a = ((((ulong)x0 << 32) | x1) >> 11);
        var b = ((((ulong)x2 << 32) | x3) >> 11);
        var offset = open ? 0.5 : 0.0;
        return ((a + offset) / TwoPow53, (b + offset) / TwoPow53);
    }
}
