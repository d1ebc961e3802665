using System.Globalization;

namespace CondensationDsl.Cli.Tests;

/// <summary>
/// Figure 5's phase diagram end to end: the sweep of examples/fig5_phase_diagram.cond on a few (γ, γ′) points, its
/// phase_diagram.csv, and the invariance SCIENCE.md §2 asks for: the same (γ, γ′) reached with other scales (β₁, β₂, α)
/// gives the same slope S_w.
/// </summary>
public sealed class PhaseDiagramTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    /// <summary>
    /// The example's model and training with a smaller sweep: γ ∈ {0.5, 1} at γ′ = 0, widths 1 000–8 000, two seeds.
    /// Gauge 0 is α = 1 (β₁ = β₂ = m^−γ/2); gauge 0.5 is α = m^(γ/2) (β₁ = β₂ = m^−γ/4): other weights, other output scale.
    /// </summary>
    [Fact]
    public void The_slope_depends_on_gamma_and_gamma_prime_only_not_on_the_scales_that_give_them()
    {
        var example = File.ReadAllText(Path.Combine(CondSandbox.RepositoryRoot, "examples", "fig5_phase_diagram.cond"));
        var beforeSweep = example[..example.IndexOf("\nsweep {", StringComparison.Ordinal)];
        var file = sandbox.WriteCond("phase", beforeSweep + """

            sweep { gamma in [0.5, 1]; m in [1000, 2000, 4000, 8000]; seed in 1..2 }
            summary phase_diagram(gamma, gamma_prime, width: m, layer: hidden)

            """);

        var slopes = new Dictionary<string, IReadOnlyDictionary<double, double>>();
        foreach (var gauge in new[] { "0", "0.5" })
        {
            var output = sandbox.NewPath("phase-gauge" + gauge);
            var result = sandbox.Run("run", file, "--set", "gauge=" + gauge, "-o", output, "--device", "cpu", "--quiet", "--no-report", "--jobs", "2");
            Assert.True(result.ExitCode == 0, result.ToString());
            slopes[gauge] = ReadSlopes(Path.Combine(output, "phase_diagram.csv"));
        }

        // The reference slopes (SCIENCE.md §2) within ±0.1, in both gauges; and the two gauges within ±0.05 of each other.
        foreach (var (gauge, byGamma) in slopes)
        {
            Assert.InRange(byGamma[0.5], -0.61, -0.41);
            Assert.InRange(byGamma[1.0], -0.09, 0.11);
        }

        foreach (var gamma in new[] { 0.5, 1.0 })
        {
            var difference = Math.Abs(slopes["0"][gamma] - slopes["0.5"][gamma]);
            Assert.True(difference <= 0.05, $"γ = {gamma}: S_w {slopes["0"][gamma]} (α = 1) against {slopes["0.5"][gamma]} (α = m^(γ/2))");
        }
    }

    /// <summary>`until loss &lt; tol` not reached within the declared length: status "unconverged", exit code 1, rows kept.</summary>
    [Fact]
    public void A_run_that_does_not_reach_its_until_condition_ends_unconverged()
    {
        var file = sandbox.WriteCond("unreachable", TestInputs.Tiny.Replace("  steps 20", "  steps 20\n  until loss < 1e-30", StringComparison.Ordinal));
        var output = sandbox.NewPath("unconverged");
        var result = sandbox.Run("run", file, "-o", output, "--device", "cpu", "--quiet", "--no-report");

        Assert.True(result.ExitCode == 1, result.ToString());
        var run = CondSandbox.ReadRunJson(output);
        Assert.Equal("unconverged", run.GetProperty("status").GetString());
        Assert.Contains("without reaching loss < 1E-30", run.GetProperty("message").GetString());
        Assert.NotEmpty(TestInputs.Column(output, "loss"));
    }

    private static Dictionary<double, double> ReadSlopes(string csv)
    {
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        var gamma = Array.IndexOf(header, "gamma");
        var slope = Array.IndexOf(header, "slope");
        return lines.Skip(1).Select(line => line.Split(','))
            .ToDictionary(fields => double.Parse(fields[gamma], CultureInfo.InvariantCulture), fields => double.Parse(fields[slope], CultureInfo.InvariantCulture));
    }
}
