using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Udpx.Relay;

/// <summary>
/// One direction of one client's traffic: takes each datagram through the impairment model,
/// then sends it now, hands it to the delay queue, or holds it back for reordering.
/// <see cref="Process"/> runs on the one thread that receives this direction's datagrams;
/// <see cref="Release"/> and <see cref="Discard"/> run on the delay queue's scheduler thread.
/// Nothing here allocates per datagram.
/// </summary>
internal sealed class RelayLane
{
    private readonly Socket _socket;
    private readonly SocketAddress? _destination;
    private readonly ImpairmentModel _model;
    private readonly DirectionCounters _counters;
    private readonly TokenBucket? _link;
    private readonly DelayQueue<ScheduledDatagram> _queue;
    private readonly ArrayPool<byte> _buffers;
    private readonly ReorderSlot _held = new();
    private readonly double _timestampsPerTick;
    private readonly long _reorderHold;

    /// <param name="socket">Socket to send on: connected (upstream) when <paramref name="destination"/> is null.</param>
    /// <param name="destination">Where to send on an unconnected socket; read only, never written.</param>
    /// <param name="model">This lane's own decision stream.</param>
    /// <param name="counters">Counters of the lane's direction, shared by all clients.</param>
    /// <param name="link">Rate limit of the lane's direction, shared by all clients; null for none.</param>
    /// <param name="queue">The relay's delay queue.</param>
    /// <param name="buffers">Pool for datagrams that wait; returned by whoever sends or discards them.</param>
    /// <param name="reorderHold">How long a reordered datagram waits for a successor.</param>
    /// <param name="timestampFrequency">Ticks per second of the relay's timestamps.</param>
    public RelayLane(
        Socket socket,
        SocketAddress? destination,
        ImpairmentModel model,
        DirectionCounters counters,
        TokenBucket? link,
        DelayQueue<ScheduledDatagram> queue,
        ArrayPool<byte> buffers,
        TimeSpan reorderHold,
        long timestampFrequency)
    {
        _socket = socket;
        _destination = destination;
        _model = model;
        _counters = counters;
        _link = link;
        _queue = queue;
        _buffers = buffers;
        _timestampsPerTick = (double)timestampFrequency / TimeSpan.TicksPerSecond;
        _reorderHold = ToTimestamp(reorderHold);
    }

    /// <summary>Impairs and forwards one received datagram. May change the bytes in place (corruption).</summary>
    public void Process(Span<byte> datagram, long now)
    {
        _counters.AddReceived();
        var decision = _model.Decide();
        if (decision.Drop)
        {
            _counters.AddDropped();
            return;
        }

        var copies = decision.Copies;
        var departure = now;
        if (_link is not null && !_link.TryReserve(datagram.Length * copies, now, out departure))
        {
            _counters.AddOverflowed();
            return;
        }

        if (decision.Corrupt && _model.Corrupt(datagram) > 0)
        {
            _counters.AddCorrupted();
        }

        if (decision.Duplicate)
        {
            _counters.AddDuplicated();
        }

        departure += ToTimestamp(decision.Delay);
        if (decision.Reorder && TryHold(datagram, copies, departure))
        {
            return;
        }

        if (departure <= now)
        {
            Send(datagram, copies);
        }
        else if (TrySchedule(datagram, copies, departure))
        {
            _counters.AddDelayed();
        }
        else
        {
            _counters.AddOverflowed();
            return;
        }

        // A held datagram goes right after the one that overtook it.
        ReleaseHeld(departure, now);
    }

    /// <summary>Sends a queued entry whose time has come (scheduler thread).</summary>
    public void Release(ScheduledDatagram entry)
    {
        if (entry.Buffer is not null)
        {
            Send(entry.Buffer.AsSpan(0, entry.Length), entry.Copies);
            _buffers.Return(entry.Buffer);
        }
        else if (_held.TryTake(entry.HoldGeneration, out var held))
        {
            // No successor came in time: send the held datagram anyway.
            Send(held.Buffer.AsSpan(0, held.Length), held.Copies);
            _buffers.Return(held.Buffer);
        }
    }

    /// <summary>Gives back the buffer of an entry that will never be sent (relay stopping).</summary>
    public void Discard(ScheduledDatagram entry)
    {
        if (entry.Buffer is not null)
        {
            _buffers.Return(entry.Buffer);
        }
        else if (_held.TryTake(entry.HoldGeneration, out var held))
        {
            _buffers.Return(held.Buffer);
        }
    }

    private bool TryHold(ReadOnlySpan<byte> datagram, int copies, long departure)
    {
        // Only one datagram is held at a time; this lane's thread is the only one that puts.
        if (_held.IsOccupied)
        {
            return false;
        }

        var buffer = Rent(datagram);
        var generation = _held.Put(new HeldDatagram(buffer, datagram.Length, copies, departure));
        if (!_queue.TrySchedule(ScheduledDatagram.HoldDeadline(this, generation), departure + _reorderHold))
        {
            // Without a deadline the datagram could wait forever: forward it normally instead.
            _held.TryTake(generation, out _);
            _buffers.Return(buffer);
            return false;
        }

        _counters.AddReordered();
        return true;
    }

    private void ReleaseHeld(long afterDeparture, long now)
    {
        if (!_held.TryTake(out var held))
        {
            return;
        }

        var departure = Math.Max(afterDeparture, held.Departure);
        if (departure <= now)
        {
            Send(held.Buffer.AsSpan(0, held.Length), held.Copies);
            _buffers.Return(held.Buffer);
        }
        else if (!_queue.TrySchedule(ScheduledDatagram.Send(this, held.Buffer, held.Length, held.Copies), departure))
        {
            _buffers.Return(held.Buffer);
            _counters.AddOverflowed();
        }
    }

    private bool TrySchedule(ReadOnlySpan<byte> datagram, int copies, long departure)
    {
        var buffer = Rent(datagram);
        if (_queue.TrySchedule(ScheduledDatagram.Send(this, buffer, datagram.Length, copies), departure))
        {
            return true;
        }

        _buffers.Return(buffer);
        return false;
    }

    private byte[] Rent(ReadOnlySpan<byte> datagram)
    {
        // At least one byte: an empty datagram still needs a poolable array.
        var buffer = _buffers.Rent(Math.Max(1, datagram.Length));
        datagram.CopyTo(buffer);
        return buffer;
    }

    private void Send(ReadOnlySpan<byte> datagram, int copies)
    {
        for (var i = 0; i < copies; i++)
        {
            if (TrySend(datagram))
            {
                _counters.AddForwarded(datagram.Length);
            }
            else
            {
                _counters.AddFailed();
            }
        }
    }

    private bool TrySend(ReadOnlySpan<byte> datagram)
    {
        try
        {
            if (_destination is null)
            {
                // Connected upstream socket: an ICMP "port unreachable" from the server comes
                // back as an error code here, not as an exception.
                _socket.Send(datagram, SocketFlags.None, out var error);
                return error == SocketError.Success;
            }

            _socket.SendTo(datagram, SocketFlags.None, _destination);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            // The client was reaped or the relay is stopping while this datagram was on its way.
            return false;
        }
    }

    private long ToTimestamp(TimeSpan duration) => (long)(duration.Ticks * _timestampsPerTick);
}
