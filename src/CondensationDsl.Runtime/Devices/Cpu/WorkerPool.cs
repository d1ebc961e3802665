namespace CondensationDsl.Runtime.Devices.Cpu;

/// <summary>One piece of a parallel operation; part p of n covers a range fixed by (p, n) alone.</summary>
internal interface IParallelWork
{
    void Execute(int part, int parts);
}

/// <summary>
/// A fixed set of worker threads that run the parts of one operation at a time. Training a small network issues
/// tens of thousands of operations of a few microseconds each, so the usual pools (Task, Parallel.For) cost more than
/// the work: workers here spin briefly on a generation counter between operations and only then sleep, and a dispatch
/// allocates nothing. Part 0 always runs on the calling thread. Not thread-safe: one caller at a time (the device's).
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    // About 50–100 µs of spinning: long enough to bridge the gap between two operations of a training step,
    // short enough not to burn a shared core when the device sits idle.
    private const int SpinIterations = 2000;

    private readonly Thread[] threads;
    private readonly object gate = new();
    private IParallelWork? work;
    private int parts;
    private int generation;
    private int pending;
    private int sleepers;
    private volatile bool disposed;
    private Exception? failure;

    public WorkerPool(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ThreadCount = threadCount;
        threads = new Thread[threadCount - 1];
        for (var i = 0; i < threads.Length; i++)
        {
            var index = i + 1;
            threads[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"cpu-device-{index}" };
            threads[i].Start();
        }
    }

    public int ThreadCount { get; }

    /// <summary>Runs parts 0..partCount−1 of <paramref name="job"/> (partCount ≤ ThreadCount) and waits for all of them.</summary>
    public void Run(IParallelWork job, int partCount)
    {
        if (partCount <= 1 || ThreadCount == 1)
        {
            job.Execute(0, 1);
            return;
        }

        partCount = Math.Min(partCount, ThreadCount);
        work = job;
        parts = partCount;
        failure = null;
        Volatile.Write(ref pending, threads.Length);
        Interlocked.Increment(ref generation);
        if (Volatile.Read(ref sleepers) > 0)
        {
            lock (gate)
            {
                Monitor.PulseAll(gate);
            }
        }

        try
        {
            job.Execute(0, partCount);
        }
        finally
        {
            var spinner = default(SpinWait);
            while (Volatile.Read(ref pending) != 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            work = null;
        }

        if (failure is { } error)
        {
            throw new AggregateException("A CPU device worker failed.", error);
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Interlocked.Increment(ref generation);
        lock (gate)
        {
            Monitor.PulseAll(gate);
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    private void WorkerLoop(int index)
    {
        var seen = 0;
        while (true)
        {
            var spins = 0;
            int current;
            while ((current = Volatile.Read(ref generation)) == seen)
            {
                if (++spins < SpinIterations)
                {
                    Thread.SpinWait(20);
                    continue;
                }

                lock (gate)
                {
                    // Interlocked: the increment must be visible before the generation is re-read (see Run).
                    Interlocked.Increment(ref sleepers);
                    while (Volatile.Read(ref generation) == seen && !disposed)
                    {
                        Monitor.Wait(gate);
                    }

                    Interlocked.Decrement(ref sleepers);
                }
            }

            seen = current;
            if (disposed)
            {
                return;
            }

            try
            {
                // Workers beyond this operation's part count have nothing to do but report back.
                if (index < parts)
                {
                    work!.Execute(index, parts);
                }
            }
            catch (Exception error)
            {
                failure = error;
            }
            finally
            {
                Interlocked.Decrement(ref pending);
            }
        }
    }
}
