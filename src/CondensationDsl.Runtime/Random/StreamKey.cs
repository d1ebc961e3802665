using System.Text;

namespace CondensationDsl.Runtime.Random;

/// <summary>
/// Derives a Philox key from (root seed, stream name). The hash is fixed here (FNV-1a over UTF-8, then SplitMix64
/// finalisers) rather than string.GetHashCode, which is randomised per process: a stream's key must never change.
/// </summary>
public static class StreamKey
{
    public static ulong Derive(ulong rootSeed, string streamName)
    {
        ArgumentNullException.ThrowIfNull(streamName);
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(streamName))
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }

        return Mix(Mix(rootSeed) ^ Mix(hash + 0x9E3779B97F4A7C15UL));
    }

    /// <summary>SplitMix64's finaliser: a bijection that spreads every input bit over the whole word.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
