namespace Udpx.Relay;

/// <summary>
/// The live counters of one direction, shared by the threads that move its datagrams.
/// Plain fields bumped with Interlocked; readers take a <see cref="Snapshot"/>.
/// </summary>
internal sealed class DirectionCounters
{
    private long _received;
    private long _forwarded;
    private long _forwardedBytes;
    private long _dropped;
    private long _duplicated;
    private long _reordered;
    private long _corrupted;
    private long _delayed;
    private long _overflowed;
    private long _failed;

    public void AddReceived() => Interlocked.Increment(ref _received);

    public void AddForwarded(int bytes)
    {
        Interlocked.Increment(ref _forwarded);
        Interlocked.Add(ref _forwardedBytes, bytes);
    }

    public void AddDropped() => Interlocked.Increment(ref _dropped);

    public void AddDuplicated() => Interlocked.Increment(ref _duplicated);

    public void AddReordered() => Interlocked.Increment(ref _reordered);

    public void AddCorrupted() => Interlocked.Increment(ref _corrupted);

    public void AddDelayed() => Interlocked.Increment(ref _delayed);

    public void AddOverflowed() => Interlocked.Increment(ref _overflowed);

    public void AddFailed() => Interlocked.Increment(ref _failed);

    public DirectionStatistics Snapshot() => new(
        Interlocked.Read(ref _received),
        Interlocked.Read(ref _forwarded),
        Interlocked.Read(ref _forwardedBytes),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _duplicated),
        Interlocked.Read(ref _reordered),
        Interlocked.Read(ref _corrupted),
        Interlocked.Read(ref _delayed),
        Interlocked.Read(ref _overflowed),
        Interlocked.Read(ref _failed));
}
