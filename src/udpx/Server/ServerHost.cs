using System.Net;
using System.Net.Sockets;
using Udpx.Net;

namespace Udpx.Server;

/// <summary>
/// A running server with its folder: what `udpx serve` and the demo start. With
/// <see cref="ServerOptions.ReceiveThreads"/> above 1 it is several <see cref="UdpServer"/>s on one address
/// (SO_REUSEPORT), each owning the sessions the kernel hands it, all drawing on one <see cref="SessionBudget"/>
/// and storing into one folder.
/// </summary>
internal sealed class ServerHost : IDisposable
{
    private readonly UdpServer[] _servers;

    private ServerHost(UdpServer[] servers, DirectoryFileStore store, DatagramRing[] streams)
    {
        _servers = servers;
        Store = store;
        Shards = new ServerShards([.. servers.Select(s => s.Protocol)], streams);
    }

    /// <summary>The first receive thread's server (the only one unless <see cref="ServerOptions.ReceiveThreads"/> > 1).</summary>
    public UdpServer Server => _servers[0];

    /// <summary>One per receive thread.</summary>
    public IReadOnlyList<UdpServer> Servers => _servers;

    /// <summary>Every receive thread's sessions, counters and datagram stream, read together.</summary>
    public ServerShards Shards { get; }

    public DirectoryFileStore Store { get; }

    /// <summary>The first receive thread's datagram stream (see <see cref="Shards"/> for all of them).</summary>
    public DatagramRing Stream => Shards.Streams[0];

    /// <summary>The first receive thread's protocol (see <see cref="Shards"/> for all of them).</summary>
    public ServerProtocol Protocol => Server.Protocol;

    public IPEndPoint EndPoint => Server.LocalEndPoint;

    /// <summary>
    /// Checks the folder, then binds. Throws <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/>
    /// for the folder and <see cref="SocketException"/> for the address.
    /// </summary>
    public static ServerHost Start(IPEndPoint bind, string folder, ServerOptions options, IServerObserver? observer = null)
    {
        var store = new DirectoryFileStore(folder, options.MaxFileSize, options.Overwrite, options.AllowHidden);
        store.EnsureWritable();
        store.RemoveStaleTemporaryFiles();
        int threads = Math.Max(1, options.ReceiveThreads);
        var budget = new SessionBudget(options);
        var servers = new List<UdpServer>(threads);
        var streams = new DatagramRing[threads];
        if (threads > 1 && bind.Port != 0)
        {
            // SO_REUSEPORT would let these sockets join another server's group on the port (one of the same
            // user started with --receive-threads) and silently share its traffic: the port must be free.
            ReusePort.EnsureFree(bind);
        }
        try
        {
            for (int i = 0; i < threads; i++)
            {
                streams[i] = new DatagramRing(1024);
                var protocol = new ServerProtocol(options, store, observer, budget) { Stream = streams[i] };
                // The first socket takes the port (an ephemeral one for port 0); the others join it.
                var address = i == 0 ? bind : servers[0].LocalEndPoint;
                try
                {
                    servers.Add(UdpServer.Start(address, protocol, sharePort: threads > 1));
                }
                catch
                {
                    protocol.Dispose();
                    throw;
                }
            }
        }
        catch
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
            throw;
        }
        return new ServerHost([.. servers], store, streams);
    }

    /// <summary>Stops the server, then waits a little for file work still running (deleting discarded files).</summary>
    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Stop();
        }
        foreach (var server in _servers)
        {
            server.Dispose();
        }
        Store.WaitForBackgroundWork(TimeSpan.FromSeconds(10));
    }
}
