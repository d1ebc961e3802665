using System.Diagnostics;
using System.Globalization;
using CondensationDsl.Kernels.Tests.Support;
using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Kernels.Tests.Bench;

/// <summary>
/// Timing entry point for tools/gpu-check.sh: <c>dotnet CondensationDsl.Kernels.Tests.dll --bench [--device cuda]</c>.
/// It lives in the test project (whose generated entry point we replace) so it needs no project of its own; the test
/// runner does not use Main.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "--ptx")
        {
            // Writes every kernel's PTX (sm_60 / PTX 6.0) to a folder, to read what the GPU will run.
            Directory.CreateDirectory(args[1]);
            foreach (KernelDescriptor kernel in KernelRegistry.All)
            {
                string ptx = PtxCompilation.Compile(kernel, ILGPU.Runtime.Cuda.CudaArchitecture.SM_60, ILGPU.Runtime.Cuda.CudaInstructionSet.ISA_60);
                File.WriteAllText(Path.Combine(args[1], kernel.Name + ".ptx"), ptx);
            }
            Console.WriteLine($"wrote {KernelRegistry.All.Count} kernels to {args[1]}");
            return 0;
        }
        if (args.Length == 0 || args[0] != "--bench")
        {
            Console.Error.WriteLine("usage: CondensationDsl.Kernels.Tests --bench [--device cuda|opencl|ilgpu-cpu] [--quick]");
            Console.Error.WriteLine("       CondensationDsl.Kernels.Tests --ptx <folder>");
            return 2;
        }
        string kind = args.SkipWhile(a => a != "--device").Skip(1).FirstOrDefault() ?? IlgpuDevices.Cuda;
        bool quick = args.Contains("--quick");
        try
        {
            using IDevice device = IlgpuDevices.Create(kind);
            Console.WriteLine($"device: {device.Name}");
            GemmThroughput(device, quick);
            DenseStep(device, quick);
            return 0;
        }
        catch (DeviceUnavailableException error)
        {
            Console.Error.WriteLine(error.Message);
            return 1;
        }
    }

    /// <summary>GFLOP/s (2mnk per call) of GEMM at a few sizes, including the shapes of the m = 1000 / 80-point network.</summary>
    private static void GemmThroughput(IDevice device, bool quick)
    {
        (int M, int N, int K, bool Ta, bool Tb)[] shapes = quick
            ? [(64, 64, 64, false, false), (80, 1000, 1, false, false)]
            : [(80, 1000, 1, false, false), (80, 1, 1000, false, false), (1000, 1, 80, true, false), (80, 1000, 1, false, true),
               (256, 256, 256, false, false), (1024, 1024, 1024, false, false), (1024, 1024, 1024, true, true), (2048, 2048, 2048, false, false)];
        Console.WriteLine("gemm      m      n      k  tA tB   µs/call   GFLOP/s");
        var rng = new Random(1);
        foreach ((int m, int n, int k, bool ta, bool tb) in shapes)
        {
            using DeviceBuffer a = Upload(device, Float32.Uniform(rng, m * k));
            using DeviceBuffer b = Upload(device, Float32.Uniform(rng, k * n));
            using DeviceBuffer c = device.Allocate(m * n);
            double seconds = Time(device, () => device.Gemm(ta, tb, m, n, k, 1f, a, b, 0f, c), quick ? 0.05 : 0.3);
            double gflops = 2.0 * m * n * k / seconds / 1e9;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"     {m,6} {n,6} {k,6}  {(ta ? 'T' : 'N')}  {(tb ? 'T' : 'N')}  {seconds * 1e6,8:F1}  {gflops,8:F1}"));
        }
    }

    /// <summary>One full-batch training step of the W1 network (1 → m = 1000 ReLU → 1, 80 points, MSE, Adam): forward,
    /// loss (which synchronizes, as the trainer does), backward, four Adam updates.</summary>
    private static void DenseStep(IDevice device, bool quick)
    {
        const int points = 80, width = 1000;
        var rng = new Random(2);
        using DeviceBuffer x = Upload(device, Float32.Uniform(rng, points));
        using DeviceBuffer target = Upload(device, Float32.Uniform(rng, points));
        using DeviceBuffer w1 = Upload(device, Float32.Uniform(rng, width, -0.01, 0.01));
        using DeviceBuffer b1 = Upload(device, Float32.Uniform(rng, width, -0.01, 0.01));
        using DeviceBuffer w2 = Upload(device, Float32.Uniform(rng, width, -0.01, 0.01));
        using DeviceBuffer b2 = Upload(device, Float32.Uniform(rng, 1, -0.01, 0.01));
        DeviceBuffer[] parameters = [w1, b1, w2, b2];
        DeviceBuffer[] gradients = [.. parameters.Select(p => device.Allocate(p.Length))];
        DeviceBuffer[] firstMoments = [.. parameters.Select(p => device.Allocate(p.Length))];
        DeviceBuffer[] secondMoments = [.. parameters.Select(p => device.Allocate(p.Length))];
        using DeviceBuffer z = device.Allocate(points * width);
        using DeviceBuffer h = device.Allocate(points * width);
        using DeviceBuffer output = device.Allocate(points);
        using DeviceBuffer dOutput = device.Allocate(points);
        using DeviceBuffer dH = device.Allocate(points * width);
        using DeviceBuffer dZ = device.Allocate(points * width);
        long step = 0;
        double loss = 0;

        void Step()
        {
            step++;
            device.Gemm(false, false, points, width, 1, 1f, x, w1, 0f, z);        // Z = X·W1 (80×1 · 1×1000)
            device.AddRowBroadcast(z, b1, points, width);
            device.ActivationForward(Activation.Relu, z, h, points * width);
            device.Gemm(false, false, points, 1, width, 1f, h, w2, 0f, output);   // out = H·W2 (80×1000 · 1000×1)
            device.AddRowBroadcast(output, b2, points, 1);
            loss = device.MseLossAndGradient(output, target, dOutput, points);
            device.Gemm(true, false, width, 1, points, 1f, h, dOutput, 0f, gradients[2]);  // dW2 = Hᵀ·dOut
            device.SumOverRows(dOutput, points, 1, gradients[3]);
            device.Gemm(false, true, points, width, 1, 1f, dOutput, w2, 0f, dH);           // dH = dOut·W2ᵀ
            device.ActivationBackward(Activation.Relu, z, dH, dZ, points * width);
            device.Gemm(true, false, 1, width, points, 1f, x, dZ, 0f, gradients[0]);       // dW1 = Xᵀ·dZ
            device.SumOverRows(dZ, points, width, gradients[1]);
            for (int i = 0; i < parameters.Length; i++)
            {
                device.AdamStep(parameters[i], gradients[i], firstMoments[i], secondMoments[i],
                    new AdamStepParameters(1e-3f, 0.9f, 0.999f, 1e-8f, step), parameters[i].Length);
            }
        }

        double seconds = Time(device, Step, quick ? 0.1 : 2.0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dense step (m = {width}, {points} points, Adam): {seconds * 1e6:F1} µs/step, {1 / seconds:F0} steps/s, " +
            $"10 000 steps ≈ {seconds * 1e4:F2} s (loss {loss:G4} after {step} steps)"));
        foreach (DeviceBuffer buffer in gradients.Concat(firstMoments).Concat(secondMoments))
        {
            buffer.Dispose();
        }
    }

    /// <summary>Seconds per call: two warm-up calls (kernel compilation), then calls until <paramref name="budget"/>
    /// seconds have passed, synchronized at the end.</summary>
    private static double Time(IDevice device, Action action, double budget)
    {
        action();
        action();
        device.Synchronize();
        var clock = Stopwatch.StartNew();
        int calls = 0;
        do
        {
            action();
            calls++;
            if (calls % 16 == 0)
            {
                device.Synchronize();
            }
        }
        while (clock.Elapsed.TotalSeconds < budget);
        device.Synchronize();
        return clock.Elapsed.TotalSeconds / calls;
    }

    private static DeviceBuffer Upload(IDevice device, float[] data)
    {
        DeviceBuffer buffer = device.Allocate(data.Length);
        device.Upload(data, buffer);
        return buffer;
    }
}
