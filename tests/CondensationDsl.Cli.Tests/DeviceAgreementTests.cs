namespace CondensationDsl.Cli.Tests;

/// <summary>The ILGPU device (on ILGPU's CPU simulator) and the CPU device agree end to end through the CLI.</summary>
public sealed class DeviceAgreementTests(CondSandbox sandbox) : IClassFixture<CondSandbox>
{
    [Fact]
    public async Task Ilgpu_cpu_matches_the_cpu_device()
    {
        var file = sandbox.WriteCond("tiny", TestInputs.Tiny);
        var cpuOutput = sandbox.NewPath("cpu");
        var cpu = await sandbox.RunAsync("run", file, "-o", cpuOutput, "--device", "cpu", "--quiet", "--no-report");
        Assert.True(cpu.ExitCode == 0, cpu.ToString());
        var ilgpuOutput = sandbox.NewPath("ilgpu");
        var ilgpu = await sandbox.RunAsync("run", file, "-o", ilgpuOutput, "--device", "ilgpu-cpu", "--quiet", "--no-report");
        Assert.True(ilgpu.ExitCode == 0, ilgpu.ToString());

        var ilgpuRun = CondSandbox.ReadRunJson(ilgpuOutput);
        Assert.Equal("completed", ilgpuRun.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(ilgpuRun.GetProperty("ilgpuVersion").GetString()));
        Assert.Equal(20, ilgpuRun.GetProperty("stepsCompleted").GetInt64());

        Assert.Equal(TestInputs.Column(cpuOutput, "step"), TestInputs.Column(ilgpuOutput, "step"));
        var expected = TestInputs.Column(cpuOutput, "loss");
        var actual = TestInputs.Column(ilgpuOutput, "loss");
        Assert.Equal(11, expected.Length);
        Assert.True(expected[^1] < 0.9 * expected[0], $"the loss should move in 20 steps: {expected[0]} -> {expected[^1]}");
        for (var i = 0; i < expected.Length; i++)
        {
            var relative = Math.Abs(actual[i] - expected[i]) / Math.Abs(expected[i]);
            Assert.True(relative <= 1e-4, $"row {i}: cpu {expected[i]:R}, ilgpu-cpu {actual[i]:R} (relative {relative:E2})");
        }
    }
}
