namespace CondensationDsl.Language.Tests;

/// <summary>Bad input never throws and never reaches an internal error: truncations, random bytes, random edits.</summary>
public class FuzzTests
{
    private static void AssertHandled(string text)
    {
        var result = Compiler.Emit("fuzz.cond", text);
        var internalErrors = result.Diagnostics.Where(d => d.Code == DiagnosticCodes.InternalCompilerError).ToList();
        Assert.True(internalErrors.Count == 0, $"Internal error for input:\n{text}\n{string.Join("\n", internalErrors)}");
        Assert.All(result.Diagnostics, d => Assert.DoesNotContain("\n", d.Message));
        foreach (var d in result.Diagnostics)
        {
            d.Render(text); // rendering never throws either
        }
    }

    private static string Fig1 => File.ReadAllText(Path.Combine(Baseline.RepoRoot, "examples", "fig1_relu_1d.cond"));

    [Fact]
    public void EveryTruncationOfAnExampleIsHandled()
    {
        var text = Fig1;
        for (var i = 0; i < text.Length; i++)
        {
            AssertHandled(text[..i]);
        }
    }

    [Fact]
    public void RandomBytesAreHandled()
    {
        var random = new Random(12345);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            AssertHandled(System.Text.Encoding.Latin1.GetString(bytes));
        }
    }

    [Fact]
    public void RandomEditsOfAnExampleAreHandled()
    {
        var random = new Random(2024);
        var alphabet = "(){}[],;:=+-*/^<>!#.\"\n xm0123456789ereludensek";
        var text = Fig1;
        for (var i = 0; i < 400; i++)
        {
            var chars = text.ToCharArray();
            for (var k = 0; k < 3; k++)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            AssertHandled(new string(chars));
        }
    }

    [Theory]
    [InlineData("(", ")", 100000)]
    [InlineData("-", "", 100000)]
    [InlineData("2^", "", 100000)]
    [InlineData("1+", "", 100000)]
    [InlineData("(\n", "", 1000)]
    public void PathologicalNestingGetsADiagnosticNotACrash(string open, string close, int count)
    {
        var text = "experiment e\nlet m = " + string.Concat(Enumerable.Repeat(open, count)) + "1" + string.Concat(Enumerable.Repeat(close, count)) + "\n";
        var result = Compiler.Emit("deep.cond", text);
        Assert.True(result.HasErrors);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == DiagnosticCodes.InternalCompilerError);
    }
}
