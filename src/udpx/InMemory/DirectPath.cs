namespace Udpx.InMemory;

/// <summary>A lossless path with a fixed one-way delay (0: the datagram arrives at the moment it is sent).</summary>
internal sealed class DirectPath(long delayMicros = 0) : IDatagramPath
{
    public void Carry(ReadOnlySpan<byte> datagram, long nowMicros, IArrivals arrivals) => arrivals.Arrive(nowMicros + delayMicros, datagram);
}
