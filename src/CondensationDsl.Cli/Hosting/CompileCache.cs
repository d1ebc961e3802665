using System.Security.Cryptography;
using System.Text;

namespace CondensationDsl.Cli.Hosting;

/// <summary>
/// Compiled experiment assemblies on disk, keyed by a hash of the emitted source, the tool version and the identity
/// of the runtime assembly the program binds to, so a rerun of an unchanged experiment skips Roslyn entirely.
/// </summary>
public sealed class CompileCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>COND_CACHE_DIR, else $XDG_CACHE_HOME/condensationdsl, else ~/.cache/condensationdsl.</summary>
    public static CompileCache Default()
    {
        var explicitDirectory = Environment.GetEnvironmentVariable("COND_CACHE_DIR");
        if (!string.IsNullOrEmpty(explicitDirectory))
        {
            return new CompileCache(explicitDirectory);
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new CompileCache(Path.Combine(root, "condensationdsl", "assemblies"));
    }

    public static string KeyFor(string source, string toolVersion, Guid runtimeModuleVersion)
    {
        var text = string.Join('\n', toolVersion, runtimeModuleVersion.ToString("N"), source);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public string PathFor(string key) => Path.Combine(Directory, key + ".dll");

    public byte[]? TryRead(string key)
    {
        var path = PathFor(key);
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (IOException)
        {
            return null; // An unreadable entry is a miss; the compile below rewrites it.
        }
    }

    /// <summary>Stores an assembly; a failure to write only costs the next run a compile, so it is not an error.</summary>
    public void TryWrite(string key, byte[] image)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var temporary = PathFor(key) + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, PathFor(key), overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }
}
