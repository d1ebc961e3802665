namespace CondensationDsl.Reporting.Tests;

/// <summary>A fresh folder per test, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cond-reporting-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Leftover temp files of atomic writes anywhere below the folder.</summary>
    public string[] TempFiles() =>
        System.IO.Directory.GetFiles(Path, AtomicFile.TempPrefix + "*", SearchOption.AllDirectories);
}
