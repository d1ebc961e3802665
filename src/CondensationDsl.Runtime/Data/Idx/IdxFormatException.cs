namespace CondensationDsl.Runtime.Data.Idx;

/// <summary>An IDX file that cannot be what it claims to be: the message names the file and says what is wrong.</summary>
public sealed class IdxFormatException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string Path { get; } = path;

    public string Problem { get; } = problem;
}
