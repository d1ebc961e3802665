namespace CondensationDsl.Reporting.Tests;

/// <summary>A clock the test moves by hand, so timestamps in run.json and run ids are exact.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset now = now;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
