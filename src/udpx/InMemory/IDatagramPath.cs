namespace Udpx.InMemory;

/// <summary>
/// One direction of an in-memory path: what happens to a datagram between its sender and its receiver. It
/// hands the <see cref="IArrivals"/> each copy that arrives (none when lost, two when duplicated), with the time.
/// </summary>
internal interface IDatagramPath
{
    void Carry(ReadOnlySpan<byte> datagram, long nowMicros, IArrivals arrivals);
}

/// <summary>Where an <see cref="IDatagramPath"/> puts what arrives; the bytes are copied, the span may be reused.</summary>
internal interface IArrivals
{
    void Arrive(long atMicros, ReadOnlySpan<byte> datagram);
}
