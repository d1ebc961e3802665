using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CondensationDsl.Cli.Tests;

/// <summary>The small .cond files the tests write, and readers for the files a run leaves (metrics.csv, .npy headers).</summary>
public static partial class TestInputs
{
    /// <summary>m = 20, 20 points, 300 epochs of GD: well under a second of training.</summary>
    public const string Small = """
        experiment small "A small two-layer ReLU net"
        let m = 20
        let gamma = 2.0
        data train = grid(-1, 1, points: 20) {
          target relu(x) - relu(2*(x - 0.3))
        }
        model net {
          input 1
          dense hidden(m, relu)
          dense out(1, bias: false)
          init normal(std: m^-gamma)
        }
        train {
          loss mse
          optimizer gd(lr: 0.1)
          epochs 300
        }
        observe every 50 { loss; clusters hidden (threshold: 0.99) }
        observe at [100] { features hidden; cosine hidden }

        """;

    public const string PassingExpectations = """
        expect loss at end < 1
        expect clusters(hidden) at end >= 1

        """;

    public const string FailingExpectation = """
        expect loss at end < 1e-30
        expect clusters(hidden) at end >= 1

        """;

    /// <summary>The small net with a large initialization (std = m^-0.5), lr 1e4 and every step observed: the loss overflows within a few steps.</summary>
    public static string Diverging => Small
        .Replace("let gamma = 2.0", "let gamma = 0.5")
        .Replace("gd(lr: 0.1)", "gd(lr: 1e4)")
        .Replace("observe every 50", "observe every 1");

    public static string Sweep => Small + "sweep { seed in 1..2 }\n";

    /// <summary>m = 8, 20 points, 20 steps: small enough for ILGPU's CPU simulator.</summary>
    public const string Tiny = """
        experiment tiny "Tiny net for comparing devices"
        let m = 8
        data train = grid(-1, 1, points: 20) {
          target relu(x) - relu(2*(x - 0.3))
        }
        model net {
          input 1
          dense hidden(m, relu)
          dense out(1, bias: false)
          init normal(std: m^-1.0)
        }
        train {
          loss mse
          optimizer gd(lr: 0.5)
          steps 20
        }
        observe every 2 { loss; clusters hidden }

        """;

    /// <summary>metrics.csv as a header and rows of cells (empty cell = not measured).</summary>
    public static (string[] Header, string[][] Rows) ReadMetrics(string runDirectory)
    {
        var lines = File.ReadAllLines(Path.Combine(runDirectory, "metrics.csv"));
        return (lines[0].Split(','), lines.Skip(1).Where(line => line.Length > 0).Select(line => line.Split(',')).ToArray());
    }

    public static double[] Column(string runDirectory, string name)
    {
        var (header, rows) = ReadMetrics(runDirectory);
        var index = Array.IndexOf(header, name);
        Assert.True(index >= 0, $"metrics.csv has no column {name}: {string.Join(',', header)}");
        return rows.Select(row => double.Parse(row[index], CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Checks an .npy file's header (magic, version 1.0, little-endian float64, C order, 64-byte aligned) and returns its shape.</summary>
    public static int[] ReadNpyShape(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 10, $"{path} is too short for an .npy file");
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }, bytes[..6]);
        Assert.Equal(1, bytes[6]);
        var headerLength = bytes[8] | (bytes[9] << 8);
        Assert.Equal(0, (10 + headerLength) % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.EndsWith("\n", header);
        Assert.Contains("'descr': '<f8'", header);
        Assert.Contains("'fortran_order': False", header);
        var match = ShapePattern().Match(header);
        Assert.True(match.Success, $"no shape in {header}");
        var shape = match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        Assert.Equal(8L * shape.Aggregate(1L, (product, n) => product * n), bytes.Length - 10 - headerLength);
        return shape;
    }

    [GeneratedRegex(@"'shape': \(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
