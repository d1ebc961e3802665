namespace CondensationDsl.Reporting;

/// <summary>
/// Whole-file writes that a crash cannot leave half-done (DESIGN.md §6): write a temp file in the same folder, then rename it
/// over the target. Same folder, because a rename is only atomic within one file system.
/// </summary>
public static class AtomicFile
{
    /// <summary>Prefix of temp files, so a folder listing shows what they are if a crash ever strands one.</summary>
    public const string TempPrefix = ".tmp-";

    public static void WriteAllText(string path, string contents) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
            writer.Write(contents);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents)
    {
        var copy = contents.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>Runs <paramref name="fill"/> on a fresh temp file, then moves it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        var temp = Path.Combine(folder, $"{TempPrefix}{Path.GetFileName(full)}-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fill(stream);

                // No fsync: the rename already protects against a crashed process (the OS keeps written data); an fsync per
                // file would only add power-loss safety, at a cost paid on every run.json rewrite and every snapshot array.
                stream.Flush();
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a stranded temp file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
