namespace Udpx.Relay;

/// <summary>Counters of one direction at one moment. See docs/relay.md for what each counts.</summary>
internal readonly record struct DirectionStatistics(
    long Received,
    long Forwarded,
    long ForwardedBytes,
    long Dropped,
    long Duplicated,
    long Reordered,
    long Corrupted,
    long Delayed,
    long Overflowed,
    long Failed);
