using System.Net;
using Udpx.Relay;

namespace Udpx.Demo;

/// <summary>
/// `demo --loss P`: an in-process impairment relay in front of each server, dropping P percent of the
/// datagrams each way, so the transfers have something to recover from. The client sends to the relays.
/// </summary>
internal sealed class LossRelays : IAsyncDisposable
{
    private readonly List<UdpRelay> _relays;

    private LossRelays(List<UdpRelay> relays, double lossPercent)
    {
        _relays = relays;
        LossPercent = lossPercent;
    }

    public double LossPercent { get; }

    /// <summary>Where the client sends, one relay per server, in the servers' order.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => [.. _relays.Select(r => r.ListenEndPoint)];

    /// <summary>Starts a relay on 127.0.0.1 (a free port) in front of each of <paramref name="servers"/>.</summary>
    public static LossRelays Start(IReadOnlyList<IPEndPoint> servers, double lossPercent, int? seed = null)
    {
        var impairment = new ImpairmentOptions { LossPercent = lossPercent };
        var relays = new List<UdpRelay>(servers.Count);
        try
        {
            for (int i = 0; i < servers.Count; i++)
            {
                var relay = new UdpRelay(new RelayOptions
                {
                    Listen = new IPEndPoint(IPAddress.Loopback, 0),
                    Server = servers[i],
                    ClientToServer = impairment,
                    ServerToClient = impairment,
                    Seed = seed is { } s ? s + i : null,
                });
                relays.Add(relay);
                relay.Start();
            }
        }
        catch
        {
            foreach (var relay in relays)
            {
                relay.Dispose();
            }
            throw;
        }
        return new LossRelays(relays, lossPercent);
    }

    /// <summary>Datagrams dropped so far, both ways, by all relays.</summary>
    public long Dropped => _relays.Sum(r => { var s = r.GetStatistics(); return s.ClientToServer.Dropped + s.ServerToClient.Dropped; });

    /// <summary>Datagrams that reached the relays so far, both ways.</summary>
    public long Received => _relays.Sum(r => { var s = r.GetStatistics(); return s.ClientToServer.Received + s.ServerToClient.Received; });

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays)
        {
            await relay.StopAsync().ConfigureAwait(false);
        }
    }
}
