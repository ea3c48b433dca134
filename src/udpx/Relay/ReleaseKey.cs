namespace Udpx.Relay;

/// <summary>
/// Order of release in the <see cref="DelayQueue{T}"/>: by release time, then by the order
/// items were scheduled, so items due at the same moment leave first in, first out.
/// </summary>
internal readonly record struct ReleaseKey(long Timestamp, long Sequence) : IComparable<ReleaseKey>
{
    public int CompareTo(ReleaseKey other)
    {
        var byTime = Timestamp.CompareTo(other.Timestamp);
        return byTime != 0 ? byTime : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(ReleaseKey left, ReleaseKey right) => left.CompareTo(right) < 0;

    public static bool operator >(ReleaseKey left, ReleaseKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(ReleaseKey left, ReleaseKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ReleaseKey left, ReleaseKey right) => left.CompareTo(right) >= 0;
}
