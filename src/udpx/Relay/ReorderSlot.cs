namespace Udpx.Relay;

/// <summary>
/// The one datagram a lane holds back for reordering. The lane's receive thread puts it and
/// takes it when the next datagram has gone; the scheduler thread takes it when its deadline
/// passes first. Each hold gets a generation so a stale deadline cannot take a later hold.
/// </summary>
internal sealed class ReorderSlot
{
    private readonly Lock _gate = new();
    private HeldDatagram _held;

    // Read without the lock for the common case of nothing held: only the lane's own thread
    // puts, so once it reads false nothing can appear before its next Put.
    private volatile bool _occupied;
    private long _generation;

    public bool IsOccupied => _occupied;

    /// <summary>Holds the datagram and returns the generation of this hold.</summary>
    public long Put(HeldDatagram datagram)
    {
        lock (_gate)
        {
            if (_occupied)
            {
                throw new InvalidOperationException("The reorder slot already holds a datagram.");
            }

            _held = datagram;
            _occupied = true;
            return ++_generation;
        }
    }

    /// <summary>Takes whatever is held.</summary>
    public bool TryTake(out HeldDatagram datagram)
    {
        if (!_occupied)
        {
            datagram = default;
            return false;
        }

        lock (_gate)
        {
            return TakeLocked(out datagram);
        }
    }

    /// <summary>Takes the held datagram only if it is still the hold of that generation.</summary>
    public bool TryTake(long generation, out HeldDatagram datagram)
    {
        lock (_gate)
        {
            if (generation != _generation)
            {
                datagram = default;
                return false;
            }

            return TakeLocked(out datagram);
        }
    }

    private bool TakeLocked(out HeldDatagram datagram)
    {
        datagram = _held;
        if (!_occupied)
        {
            return false;
        }

        _held = default;
        _occupied = false;
        return true;
    }
}
