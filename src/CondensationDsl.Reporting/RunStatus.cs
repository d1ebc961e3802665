namespace CondensationDsl.Reporting;

/// <summary>The state recorded in run.json (written in lower case).</summary>
public enum RunStatus
{
    Running,
    Completed,

    /// <summary>An error stopped the run (a bug, a full disk, ...).</summary>
    Failed,

    /// <summary>Ctrl-C or cancellation; every observation already appended stays on disk.</summary>
    Interrupted,

    /// <summary>The loss became NaN or infinite.</summary>
    Diverged,

    /// <summary>Training declared `until loss &lt; tol` and ended without reaching it; every observation is recorded.</summary>
    Unconverged,
}
