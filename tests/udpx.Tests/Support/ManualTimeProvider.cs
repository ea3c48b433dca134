namespace Udpx.Tests.Support;

/// <summary>A clock that moves only when a test says so.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _micros;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Volatile.Read(ref _micros);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(Volatile.Read(ref _micros) * 10);

    public long NowMicros => Volatile.Read(ref _micros);

    public void AdvanceTo(long micros)
    {
        if (micros > _micros)
        {
            Volatile.Write(ref _micros, micros);
        }
    }

    public void Advance(TimeSpan by) => AdvanceTo(_micros + (by.Ticks / 10));
}
