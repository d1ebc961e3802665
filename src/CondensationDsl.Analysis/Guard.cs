namespace CondensationDsl.Analysis;

/// <summary>Argument checks shared by the measures; a wrong length is a caller bug and should fail loudly, not silently misread.</summary>
internal static class Guard
{
    public static void Length(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has length {actual}, expected {expected}.", name);
        }
    }

    public static void NotNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");
        }
    }
}
