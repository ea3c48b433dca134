namespace Udpx.Net;

/// <summary>Microseconds from a <see cref="TimeProvider"/>'s timestamp: the protocol's only notion of time.</summary>
internal readonly struct MonotonicClock(TimeProvider provider)
{
    private readonly double _microsPerTick = 1_000_000.0 / provider.TimestampFrequency;

    public TimeProvider Provider => provider;

    public long NowMicros => (long)(provider.GetTimestamp() * _microsPerTick);
}
