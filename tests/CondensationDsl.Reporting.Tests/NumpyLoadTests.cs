using System.Diagnostics;

namespace CondensationDsl.Reporting.Tests;

/// <summary>A fact that runs only where python3 can import numpy: the real proof that NumPy reads our files.</summary>
public sealed class NumpyFactAttribute : FactAttribute
{
    public NumpyFactAttribute()
    {
        if (Python.WithNumpy.Value is null)
        {
            Skip = "python3 with numpy is not installed";
        }
    }
}

internal static class Python
{
    /// <summary>
    /// The first interpreter that imports numpy: the one on PATH, then the system one (a pyenv or venv python3 on PATH
    /// often lacks the distribution's python3-numpy).
    /// </summary>
    public static readonly Lazy<string?> WithNumpy = new(() =>
        new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(exe => Run(exe, "import numpy").ExitCode == 0));

    public static (int ExitCode, string Output) Run(string script) =>
        Run(WithNumpy.Value ?? "python3", script);

    private static (int ExitCode, string Output) Run(string executable, string script)
    {
        try
        {
            var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "python3 not found");
        }
    }
}

public class NumpyLoadTests
{
    [NumpyFact]
    public void NumpyLoadsOurArrays()
    {
        using var temp = new TempDirectory();
        using var run = RunFolder.At(temp.Path, "e");
        var features = new double[100 * 3];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (i * 0.25) - 7;
        }

        run.WriteArray("features", [100, 3], features);
        run.WriteArray("cosine", [4, 4], [1, 0.5, -0.5, 0, 0.5, 1, 0, 0, -0.5, 0, 1, 0, 0, 0, 0, 1]);
        run.WriteArray("vector", [5], [1e-300, double.NaN, double.PositiveInfinity, -2, 0.1]);
        var arrays = run.ArraysDirectory.Replace("'", "\\'", StringComparison.Ordinal);
        var script = $$"""
            import numpy as np, math
            f = np.load('{{arrays}}/features.npy')
            assert f.shape == (100, 3) and f.dtype == np.float64, f.shape
            assert f[0, 0] == -7 and f[0, 2] == -6.5 and f[99, 2] == 299 * 0.25 - 7
            c = np.load('{{arrays}}/cosine.npy')
            assert c.shape == (4, 4) and c[0, 2] == -0.5 and (c == c.T).all()
            v = np.load('{{arrays}}/vector.npy')
            assert v.shape == (5,) and v[0] == 1e-300 and math.isnan(v[1]) and math.isinf(v[2]) and v[4] == 0.1
            print('ok')
            """;
        var (code, output) = Python.Run(script);
        Assert.True(code == 0, output);
        Assert.Equal("ok", output.Trim());
    }
}
