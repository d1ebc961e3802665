using System.Diagnostics;
using System.Globalization;
using CondensationDsl.Runtime.Program;
using Spectre.Console;

namespace CondensationDsl.Cli.Output;

/// <summary>
/// Shows training progress: a live Spectre.Console bar with loss and ETA on an interactive terminal, plain periodic
/// lines when output is redirected (CI logs, pipes), nothing with --quiet.
/// </summary>
public static class ProgressDisplay
{
    public static bool IsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with a progress sink wired to the chosen display.</summary>
    public static void Run(string title, bool quiet, Action<IProgress<TrainingProgress>?> work)
    {
        if (quiet)
        {
            work(null);
            return;
        }

        if (!IsInteractive)
        {
            work(new PlainProgress(title));
            return;
        }

        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(live =>
            {
                var task = live.AddTask(Markup.Escape(title), maxValue: 1);
                work(new LiveProgress(task, title));
                task.Value = task.MaxValue;
            });
    }

    internal static string Describe(TrainingProgress progress) =>
        string.Create(CultureInfo.InvariantCulture, $"step {progress.Step}/{progress.TotalSteps}  loss {progress.Loss:G4}");

    private sealed class LiveProgress(ProgressTask task, string title) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            task.MaxValue = Math.Max(1, value.TotalSteps);
            task.Value = value.Step;
            task.Description = Markup.Escape($"{title}  {Describe(value)}");
        }
    }

    /// <summary>One line every few seconds, with an ETA from the mean rate so far.</summary>
    private sealed class PlainProgress(string title) : IProgress<TrainingProgress>
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
        private readonly Stopwatch sinceLastLine = Stopwatch.StartNew();

        public void Report(TrainingProgress value)
        {
            var finished = value.Step >= value.TotalSteps;
            if (sinceLastLine.Elapsed < Interval && !finished)
            {
                return;
            }

            sinceLastLine.Restart();
            var eta = value.Step > 0
                ? TimeSpan.FromSeconds(value.Elapsed.TotalSeconds * (value.TotalSteps - value.Step) / value.Step)
                : TimeSpan.Zero;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title}: {Describe(value)}  elapsed {value.Elapsed:hh\\:mm\\:ss}  eta {eta:hh\\:mm\\:ss}"));
        }
    }
}
