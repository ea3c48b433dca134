using System.Net;
using Udpx.Relay;
using Udpx.Tests.Relay;
using Udpx.Server;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A real server on 127.0.0.1 with the impairment relay in front of it, both in this process:
/// clients send to <see cref="Address"/> (the relay), the relay impairs both directions.
/// </summary>
internal sealed class RelayedServer : IAsyncDisposable
{
    private RelayedServer(ServerHost host, UdpRelay relay)
    {
        Host = host;
        Relay = relay;
    }

    public ServerHost Host { get; }

    public UdpRelay Relay { get; }

    /// <summary>Where clients send: the relay's listen address.</summary>
    public string Address => Relay.ListenEndPoint.ToString();

    /// <summary>
    /// Starts a server storing into <paramref name="folder"/> and a relay in front of it, with the
    /// impairments given as the `udpx relay` flags would give them (e.g. loss "10", delay "20±10").
    /// </summary>
    public static RelayedServer Start(string folder, int seed, string? loss = null, string? duplicate = null, string? reorder = null, string? corrupt = null, string? delay = null)
    {
        var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder, new ServerOptions());
        try
        {
            var options = RelayFlags.Parse("127.0.0.1:0", host.EndPoint.ToString(), loss, duplicate, reorder, corrupt, delay, rate: null, seed: seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new RelayedServer(host, StartRelay(options));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A relay with these options, started; disposed again if it could not start.</summary>
    public static UdpRelay StartRelay(RelayOptions options)
    {
        var relay = new UdpRelay(options);
        try
        {
            relay.Start();
        }
        catch
        {
            relay.Dispose();
            throw;
        }
        return relay;
    }

    public async ValueTask DisposeAsync()
    {
        await Relay.StopAsync();
        Host.Dispose();
    }
}
