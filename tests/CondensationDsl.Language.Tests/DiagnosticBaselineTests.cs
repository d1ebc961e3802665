namespace CondensationDsl.Language.Tests;

/// <summary>
/// tests/Baselines/diagnostics/&lt;case&gt;/input.cond → expected.verified.txt: the exact diagnostics a user sees
/// (MSBuild line, source excerpt, caret), one case per folder.
/// </summary>
public class DiagnosticBaselineTests
{
    public static IEnumerable<object[]> Cases() =>
        Directory.GetDirectories(Path.Combine(Baseline.BaselinesRoot, "diagnostics"))
            .Where(d => File.Exists(Path.Combine(d, "input.cond")))
            .Select(d => Path.GetFileName(d))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n => new object[] { n });

    [Fact]
    public void ThereAreAtLeast35Cases() => Assert.True(Cases().Count() >= 35);

    [Theory]
    [MemberData(nameof(Cases))]
    public void DiagnosticsMatchBaseline(string name)
    {
        var folder = Path.Combine(Baseline.BaselinesRoot, "diagnostics", name);
        var text = File.ReadAllText(Path.Combine(folder, "input.cond"));
        var result = Compiler.Emit("input.cond", text);

        // Every case is a malformed or questionable file: it must say something, and never crash.
        Assert.NotEmpty(result.Diagnostics);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == DiagnosticCodes.InternalCompilerError);
        Assert.Equal(result.HasErrors, result.CSharpSource == null);
        Baseline.Verify(Path.Combine(folder, "expected.verified.txt"), result.RenderDiagnostics() + "\n");
    }
}
