namespace CondensationDsl.Reporting;

/// <summary>
/// The commit checked out in a git work tree, read from the files under .git (no git process: it may not be installed, and
/// spawning one per run is slow). Handles branches, packed refs, detached HEAD and linked work trees (".git" file).
/// </summary>
public static class GitCommit
{
    /// <summary>The 40-hex commit id of HEAD for the work tree containing <paramref name="directory"/>, or null when there is none.</summary>
    public static string? Find(string directory)
    {
        try
        {
            var gitDir = FindGitDir(Path.GetFullPath(directory));
            return gitDir is null ? null : ResolveHead(gitDir);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? FindGitDir(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            var candidate = Path.Combine(current.FullName, ".git");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            if (File.Exists(candidate))
            {
                // A linked work tree or submodule: ".git" is a file "gitdir: <path>".
                var line = File.ReadAllText(candidate).Trim();
                const string prefix = "gitdir:";
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var target = line[prefix.Length..].Trim();
                    return Path.GetFullPath(Path.Combine(current.FullName, target));
                }

                return null;
            }
        }

        return null;
    }

    private static string? ResolveHead(string gitDir)
    {
        var headPath = Path.Combine(gitDir, "HEAD");
        if (!File.Exists(headPath))
        {
            return null;
        }

        var head = File.ReadAllText(headPath).Trim();
        const string refPrefix = "ref:";
        if (!head.StartsWith(refPrefix, StringComparison.Ordinal))
        {
            return IsCommitId(head) ? head : null;
        }

        var refName = head[refPrefix.Length..].Trim();

        // Linked work trees keep HEAD in their own folder but refs in the common one.
        var commonDir = gitDir;
        var commonFile = Path.Combine(gitDir, "commondir");
        if (File.Exists(commonFile))
        {
            commonDir = Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonFile).Trim()));
        }

        foreach (var folder in new[] { gitDir, commonDir })
        {
            var loose = Path.Combine(folder, refName.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(loose))
            {
                var id = File.ReadAllText(loose).Trim();
                return IsCommitId(id) ? id : null;
            }
        }

        var packed = Path.Combine(commonDir, "packed-refs");
        if (File.Exists(packed))
        {
            foreach (var line in File.ReadLines(packed))
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && parts[1].Trim() == refName && IsCommitId(parts[0]))
                {
                    return parts[0];
                }
            }
        }

        // A branch with no commit yet (fresh repository).
        return null;
    }

    private static bool IsCommitId(string text) =>
        (text.Length == 40 || text.Length == 64) && text.All(Uri.IsHexDigit);
}
