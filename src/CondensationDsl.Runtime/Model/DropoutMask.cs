using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CondensationDsl.Runtime.Random;

namespace CondensationDsl.Runtime.Model;

/// <summary>
/// Inverted-dropout masks of one layer from a counter-based stream, so a mask depends only on (seed, stream name, training
/// step, row, unit): never on the device, the thread split or what else was drawn. Element e = (step·capacity + row)·width
/// + unit of the stream "dropout/&lt;model&gt;/&lt;layer&gt;" is the 32-bit word e mod 4 of that stream's Philox block ⌊e/4⌋
/// (<see cref="RandomStream.Block"/>: all four words of a block are used, one block per four units). The unit is kept iff
/// word &lt; ⌈p·2³²⌉, so P(keep) is p to within 2⁻³²; a kept unit's mask value is (float)(1/p), a dropped one's 0.
/// </summary>
/// <remarks>
/// Masks are drawn on the host, four Philox blocks at a time with AVX2 where the CPU has it (integer arithmetic: the
/// same bits as the scalar blocks). Philox4x32-10's constants are repeated here; a test checks the blocks against
/// <see cref="RandomStream.Block"/>.
/// </remarks>
public sealed unsafe class DropoutMask
{
    private const double TwoPow32 = 4294967296.0;
    private const uint M0 = 0xD2511F53;
    private const uint M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9;
    private const uint W1 = 0xBB67AE85;

    private readonly uint k0;
    private readonly uint k1;
    private readonly ulong threshold;
    private readonly float scale;

    /// <param name="seed">The run's root seed.</param>
    /// <param name="streamName">The stream, "dropout/&lt;model&gt;/&lt;layer&gt;" (<see cref="StreamName"/>).</param>
    /// <param name="keep">The keep probability p, 0 &lt; p ≤ 1.</param>
    public DropoutMask(ulong seed, string streamName, double keep)
    {
        ArgumentNullException.ThrowIfNull(streamName);
        CheckKeep(keep);
        // The key exactly as RandomStream derives it, so block j here is RandomStream(seed, streamName).Block(j).
        var key = StreamKey.Derive(seed, streamName);
        k0 = (uint)key;
        k1 = (uint)(key >> 32);
        threshold = (ulong)Math.Ceiling(keep * TwoPow32);
        scale = (float)(1.0 / keep);
        Keep = keep;
    }

    public double Keep { get; }

    /// <summary>The stream name of a dropout layer's masks.</summary>
    public static string StreamName(string model, string layer) => $"dropout/{model}/{layer}";

    /// <summary>The element index of row 0, unit 0 at <paramref name="step"/>: rows of a step follow each other, so a
    /// step's mask for its first r rows is the contiguous range [FirstElement, FirstElement + r·width).</summary>
    public static long FirstElement(long step, int capacity, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return checked(step * capacity * width);
    }

    /// <summary>Throws unless 0 &lt; <paramref name="keep"/> ≤ 1.</summary>
    public static void CheckKeep(double keep, string? layer = null)
    {
        if (!(keep > 0 && keep <= 1))
        {
            var what = layer is null ? "A dropout keep probability" : $"The keep probability of dropout layer '{layer}'";
            throw new ArgumentOutOfRangeException(nameof(keep), keep, $"{what} must lie in (0, 1].");
        }
    }

    /// <summary>Writes the mask values of elements firstElement, firstElement + 1, … into <paramref name="destination"/>.</summary>
    public void Fill(long firstElement, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstElement);
        var i = 0;
        var element = firstElement;

        // A range may start or end inside a block: those partial blocks go word by word, the whole ones in between in bulk.
        for (; i < destination.Length && (element & 3) != 0; i++, element++)
        {
            destination[i] = Value(Word(Block(element >> 2), (int)(element & 3)));
        }

        var whole = (destination.Length - i) >> 2;
        FillBlocks(element >> 2, destination.Slice(i, whole * 4));
        i += whole * 4;
        element += whole * 4;
        for (; i < destination.Length; i++, element++)
        {
            destination[i] = Value(Word(Block(element >> 2), (int)(element & 3)));
        }
    }

    /// <summary>The raw Philox block <paramref name="block"/> of the stream (counter (low, high word of block, 0, 0)).</summary>
    public (uint X0, uint X1, uint X2, uint X3) Block(long block) => Philox4x32.Block((uint)block, (uint)((ulong)block >> 32), 0, 0, k0, k1);

    /// <summary>The values of blocks firstBlock, firstBlock + 1, …: four units per block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillBlocks(long firstBlock, Span<float> destination)
    {
        var blocks = destination.Length >> 2;
        var b = 0;
        if (Avx2.IsSupported)
        {
            fixed (float* target = destination)
            {
                for (; b + 4 <= blocks; b += 4)
                {
                    FourBlocks(firstBlock + b, target + b * 4);
                }
            }
        }

        for (; b < blocks; b++)
        {
            var (x0, x1, x2, x3) = Block(firstBlock + b);
            var target = destination.Slice(b * 4, 4);
            target[0] = Value(x0);
            target[1] = Value(x1);
            target[2] = Value(x2);
            target[3] = Value(x3);
        }
    }

    /// <summary>
    /// Philox4x32-10 on blocks first … first+3, one per 64-bit lane (each word kept below 2³² in its lane, so vpmuludq's
    /// 32×32→64 product is the round's multiply), then the 16 mask values in element order to <paramref name="target"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FourBlocks(long first, float* target)
    {
        var low = Vector256.Create(0xFFFFFFFFUL);
        var m0 = Vector256.Create((ulong)M0).AsUInt32();
        var m1 = Vector256.Create((ulong)M1).AsUInt32();
        var counters = Vector256.Create((ulong)first, (ulong)first + 1, (ulong)first + 2, (ulong)first + 3);
        var c0 = counters & low;
        var c1 = counters >>> 32;
        var c2 = Vector256<ulong>.Zero;
        var c3 = Vector256<ulong>.Zero;
        uint key0 = k0, key1 = k1;
        for (var round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                key0 += W0;
                key1 += W1;
            }

            var p0 = Avx2.Multiply(c0.AsUInt32(), m0);
            var p1 = Avx2.Multiply(c2.AsUInt32(), m1);
            var n0 = (p1 >>> 32) ^ c1 ^ Vector256.Create((ulong)key0);
            var n2 = (p0 >>> 32) ^ c3 ^ Vector256.Create((ulong)key1);
            c1 = p1 & low;
            c3 = p0 & low;
            c0 = n0;
            c2 = n2;
        }

        // Word w of block j → float bits in the low half of lane j of s_w; then (w0, w1) and (w2, w3) of each block share
        // a 64-bit lane, and interleaving those lanes puts block j's four values at 4j … 4j+3.
        var limit = Vector256.Create((long)threshold);
        var scaleBits = Vector256.Create((ulong)BitConverter.SingleToUInt32Bits(scale));
        var s0 = Vector256.ConditionalSelect(Vector256.LessThan(c0.AsInt64(), limit).AsUInt64(), scaleBits, Vector256<ulong>.Zero);
        var s1 = Vector256.ConditionalSelect(Vector256.LessThan(c1.AsInt64(), limit).AsUInt64(), scaleBits, Vector256<ulong>.Zero);
        var s2 = Vector256.ConditionalSelect(Vector256.LessThan(c2.AsInt64(), limit).AsUInt64(), scaleBits, Vector256<ulong>.Zero);
        var s3 = Vector256.ConditionalSelect(Vector256.LessThan(c3.AsInt64(), limit).AsUInt64(), scaleBits, Vector256<ulong>.Zero);
        var pairs01 = s0 | (s1 << 32);
        var pairs23 = s2 | (s3 << 32);
        var even = Avx2.UnpackLow(pairs01, pairs23);
        var odd = Avx2.UnpackHigh(pairs01, pairs23);
        Avx2.Permute2x128(even, odd, 0x20).AsSingle().Store(target);
        Avx2.Permute2x128(even, odd, 0x31).AsSingle().Store(target + 8);
    }

    private float Value(ulong word) => word < threshold ? scale : 0f;

    private static uint Word((uint X0, uint X1, uint X2, uint X3) block, int index) => index switch
    {
        0 => block.X0,
        1 => block.X1,
        2 => block.X2,
        _ => block.X3,
    };
}
