namespace Udpx.Relay;

/// <summary>
/// An entry of the relay's delay queue. With a buffer it is a datagram to send when due: the
/// buffer is rented from the relay's pool and owned by the entry until released or discarded.
/// Without one it is the deadline of a reordered datagram held by the lane
/// (<see cref="HoldGeneration"/> names which hold).
/// </summary>
internal readonly record struct ScheduledDatagram(RelayLane Lane, byte[]? Buffer, int Length, int Copies, long HoldGeneration)
{
    public static ScheduledDatagram Send(RelayLane lane, byte[] buffer, int length, int copies) => new(lane, buffer, length, copies, 0);

    public static ScheduledDatagram HoldDeadline(RelayLane lane, long generation) => new(lane, null, 0, 0, generation);
}
