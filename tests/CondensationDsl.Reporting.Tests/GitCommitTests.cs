namespace CondensationDsl.Reporting.Tests;

public class GitCommitTests
{
    private const string Id = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public void LooseBranchRef()
    {
        using var temp = new TempDirectory();
        var git = Directory.CreateDirectory(Path.Combine(temp.Path, ".git")).FullName;
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/main\n");
        Directory.CreateDirectory(Path.Combine(git, "refs", "heads"));
        File.WriteAllText(Path.Combine(git, "refs", "heads", "main"), Id + "\n");
        var nested = Directory.CreateDirectory(Path.Combine(temp.Path, "a", "b")).FullName;
        Assert.Equal(Id, GitCommit.Find(nested));
    }

    [Fact]
    public void PackedRef()
    {
        using var temp = new TempDirectory();
        var git = Directory.CreateDirectory(Path.Combine(temp.Path, ".git")).FullName;
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/feature/x\n");
        File.WriteAllText(Path.Combine(git, "packed-refs"), $"# pack-refs with: peeled fully-peeled sorted\n{Id} refs/heads/feature/x\n");
        Assert.Equal(Id, GitCommit.Find(temp.Path));
    }

    [Fact]
    public void DetachedHead()
    {
        using var temp = new TempDirectory();
        var git = Directory.CreateDirectory(Path.Combine(temp.Path, ".git")).FullName;
        File.WriteAllText(Path.Combine(git, "HEAD"), Id + "\n");
        Assert.Equal(Id, GitCommit.Find(temp.Path));
    }

    [Fact]
    public void LinkedWorkTree()
    {
        using var temp = new TempDirectory();
        var common = Directory.CreateDirectory(Path.Combine(temp.Path, "repo", ".git")).FullName;
        Directory.CreateDirectory(Path.Combine(common, "refs", "heads"));
        File.WriteAllText(Path.Combine(common, "refs", "heads", "wt"), Id + "\n");
        var worktreeGit = Directory.CreateDirectory(Path.Combine(common, "worktrees", "wt")).FullName;
        File.WriteAllText(Path.Combine(worktreeGit, "HEAD"), "ref: refs/heads/wt\n");
        File.WriteAllText(Path.Combine(worktreeGit, "commondir"), "../..\n");
        var tree = Directory.CreateDirectory(Path.Combine(temp.Path, "wt")).FullName;
        File.WriteAllText(Path.Combine(tree, ".git"), $"gitdir: {worktreeGit}\n");
        Assert.Equal(Id, GitCommit.Find(tree));
    }

    [Fact]
    public void UnbornBranchHasNoCommit()
    {
        using var temp = new TempDirectory();
        var git = Directory.CreateDirectory(Path.Combine(temp.Path, ".git")).FullName;
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/main\n");
        Assert.Null(GitCommit.Find(temp.Path));
    }
}
