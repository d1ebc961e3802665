using System.Diagnostics;

namespace CondensationDsl.Reporting.Tests.Report;

/// <summary>A test that opens pages in headless Chromium; skipped unless COND_BROWSER_TESTS=1 (CI installs Debian's chromium and sets it).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("COND_BROWSER_TESTS") != "1")
        {
            Skip = "Browser test: set COND_BROWSER_TESTS=1 (needs /usr/bin/chromium or COND_CHROMIUM).";
        }
    }
}

/// <summary>Runs Chromium headless on a local file, offline, with a fresh profile, and collects its console messages.</summary>
internal static class HeadlessChromium
{
    public static string Executable => Environment.GetEnvironmentVariable("COND_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>
        /// Messages from the page's console: Chromium logs them to stderr as "...:CONSOLE:line] "text", source: ..." under
        /// --enable-logging=stderr (errors, uncaught exceptions and Content-Security-Policy refusals alike).
        /// </summary>
        public string[] ConsoleMessages => Stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal) || l.Contains("Uncaught", StringComparison.Ordinal)).ToArray();
    }

    public static Result Screenshot(string htmlPath, string pngPath) => Run(htmlPath, $"--screenshot={pngPath}", "--window-size=1400,4000");

    /// <summary>The DOM after the page's load event, as HTML on stdout.</summary>
    public static Result DumpDom(string htmlPath) => Run(htmlPath, "--dump-dom");

    private static Result Run(string htmlPath, params string[] mode)
    {
        var profile = Path.Combine(Path.GetTempPath(), "cond-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        try
        {
            var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                     }.Concat(mode))
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not finish within 90 s on {htmlPath}.");
            }

            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still be closing files in its profile; a leftover temp folder is harmless.
            }
        }
    }
}
