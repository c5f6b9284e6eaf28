namespace Interconnect.Grains.Tests.Support;

/// <summary>A clock that moves only when a test says so.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private DateTimeOffset _now = start;

    public ManualTime()
        : this(Start)
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
