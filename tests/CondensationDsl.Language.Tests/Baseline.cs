using System.Text;

namespace CondensationDsl.Language.Tests;

/// <summary>
/// Golden files in the manner of Verify/Bicep: the checked-in <c>*.verified.*</c> file is the expectation; a mismatch
/// writes <c>*.received.*</c> beside it and fails with a diff. Set COND_ACCEPT_BASELINES=1 (tools/accept-baselines.sh)
/// to overwrite every verified file with what the code produces now; review the change in the git diff.
/// </summary>
public static class Baseline
{
    public static bool Accepting => Environment.GetEnvironmentVariable("COND_ACCEPT_BASELINES") == "1";

    /// <summary>The repository root: the nearest folder above the test binaries that holds CondensationDsl.sln.</summary>
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CondensationDsl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CondensationDsl.sln not found above " + AppContext.BaseDirectory);
    }

    public static string BaselinesRoot => Path.Combine(RepoRoot, "tests", "Baselines");

    /// <param name="verifiedPath">…/name.verified.ext; the received file is …/name.received.ext.</param>
    public static void Verify(string verifiedPath, string actual)
    {
        actual = actual.Replace("\r\n", "\n");
        var receivedPath = verifiedPath.Replace(".verified.", ".received.");
        if (Accepting)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
            File.WriteAllText(verifiedPath, actual, new UTF8Encoding(false));
            File.Delete(receivedPath);
            return;
        }

        var expected = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(receivedPath)!);
        File.WriteAllText(receivedPath, actual, new UTF8Encoding(false));
        var relative = Path.GetRelativePath(RepoRoot, verifiedPath);
        Assert.Fail(expected == null
            ? $"No baseline {relative}; wrote {Path.GetFileName(receivedPath)}. Review it, then run tools/accept-baselines.sh."
            : $"Baseline {relative} differs (wrote {Path.GetFileName(receivedPath)}; accept with tools/accept-baselines.sh):\n{Diff(expected, actual)}");
    }

    /// <summary>A small line diff: the first differing region with two lines of context, "-" expected, "+" actual.</summary>
    public static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start]) start++;
        int endA = a.Length - 1, endB = b.Length - 1;
        while (endA >= start && endB >= start && a[endA] == b[endB]) { endA--; endB--; }
        var sb = new StringBuilder();
        for (var i = Math.Max(0, start - 2); i < start; i++) sb.Append("  ").AppendLine(a[i]);
        for (var i = start; i <= endA; i++) sb.Append("- ").AppendLine(a[i]);
        for (var i = start; i <= endB; i++) sb.Append("+ ").AppendLine(b[i]);
        for (var i = endA + 1; i < Math.Min(a.Length, endA + 3); i++) sb.Append("  ").AppendLine(a[i]);
        return $"@@ line {start + 1} @@\n{sb}";
    }
}
