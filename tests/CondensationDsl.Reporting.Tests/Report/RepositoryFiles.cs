namespace CondensationDsl.Reporting.Tests.Report;

/// <summary>Files of the repository the tests read (the grammar, the examples), found by walking up from the test binaries.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "grammar", "cond.ebnf")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No grammar/cond.ebnf above {AppContext.BaseDirectory}.");
    }
}
