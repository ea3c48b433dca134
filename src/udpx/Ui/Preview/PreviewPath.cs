using Udpx.InMemory;
using Udpx.Protocol;

namespace Udpx.Ui.Preview;

/// <summary>The preview's path to its servers: a little seeded loss and duplication of data datagrams, so the screens have something to say; no delay.</summary>
internal sealed class PreviewPath(double loss, double duplication) : IDatagramPath
{
    private readonly Random _random = new(7);

    public void Carry(ReadOnlySpan<byte> datagram, long nowMicros, IArrivals arrivals)
    {
        if (MessageCodec.TryReadData(datagram, out _, out _, out _))
        {
            if (_random.NextDouble() < loss)
            {
                return;
            }
            if (_random.NextDouble() < duplication)
            {
                arrivals.Arrive(nowMicros, datagram);
            }
        }
        arrivals.Arrive(nowMicros, datagram);
    }
}
