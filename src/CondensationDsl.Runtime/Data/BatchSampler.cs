using CondensationDsl.Runtime.Random;

namespace CondensationDsl.Runtime.Data;

/// <summary>
/// Mini-batches drawn without replacement: each epoch is a fresh permutation of the samples (Fisher–Yates on the
/// stream "batches", values indexed by epoch·n + i, so an epoch's order depends only on the seed and the epoch), cut
/// into ceil(n / batch) consecutive batches; the last one may be smaller.
/// </summary>
public sealed class BatchSampler
{
    private readonly RandomStream stream;
    private readonly int[] order;
    private long epochInOrder = -1;

    public BatchSampler(ulong seed, int count, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        stream = new RandomStream(seed, "batches");
        Count = count;
        BatchSize = Math.Min(batchSize, count);
        StepsPerEpoch = (count + BatchSize - 1) / BatchSize;
        order = new int[count];
    }

    public int Count { get; }

    public int BatchSize { get; }

    public int StepsPerEpoch { get; }

    /// <summary>The sample indices of optimizer step <paramref name="step"/> (0-based, counted over all epochs).</summary>
    public ReadOnlySpan<int> Batch(long step)
    {
        var epoch = step / StepsPerEpoch;
        var index = (int)(step % StepsPerEpoch);
        var permutation = Permutation(epoch);
        var start = index * BatchSize;
        return permutation.Slice(start, Math.Min(BatchSize, Count - start));
    }

    /// <summary>The order of the samples in <paramref name="epoch"/>.</summary>
    public ReadOnlySpan<int> Permutation(long epoch)
    {
        if (epoch != epochInOrder)
        {
            for (var i = 0; i < Count; i++)
            {
                order[i] = i;
            }

            for (var i = Count - 1; i > 0; i--)
            {
                var j = (int)(stream.Uniform(epoch * Count + i) * (i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }

            epochInOrder = epoch;
        }

        return order;
    }
}
