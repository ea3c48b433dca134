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
    private readonly Timer _expiry;
    private readonly FileHook? _hook;

    private ServerHost(UdpServer[] servers, DirectoryFileStore store, DatagramRing[] streams, FileHook? hook)
    {
        _servers = servers;
        _hook = hook;
        Store = store;
        Shards = new ServerShards([.. servers.Select(s => s.Protocol)], streams);
        // Partial files kept for a resume expire while the server runs too, not only at its next start.
        var every = TimeSpan.FromTicks(Math.Clamp(store.KeepPartial.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));
        _expiry = new Timer(static state => ExpirePartials((DirectoryFileStore)state!), store, every, every);
    }

    private static void ExpirePartials(DirectoryFileStore store)
    {
        try
        {
            store.RemoveStaleTemporaryFiles();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The first receive thread's server (the only one unless <see cref="ServerOptions.ReceiveThreads"/> > 1).</summary>
    public UdpServer Server => _servers[0];

    /// <summary>One per receive thread.</summary>
    public IReadOnlyList<UdpServer> Servers => _servers;

    /// <summary>Every receive thread's sessions, counters and datagram stream, read together.</summary>
    public ServerShards Shards { get; }

    public DirectoryFileStore Store { get; }

    /// <summary>The `--on-file` hook's runner; null without one.</summary>
    public FileHook? Hook => _hook;

    /// <summary>The first receive thread's datagram stream (see <see cref="Shards"/> for all of them).</summary>
    public DatagramRing Stream => Shards.Streams[0];

    /// <summary>The first receive thread's protocol (see <see cref="Shards"/> for all of them).</summary>
    public ServerProtocol Protocol => Server.Protocol;

    public IPEndPoint EndPoint => Server.LocalEndPoint;

    /// <summary>
    /// Binds, then makes and checks the folder, then starts receiving: a port that cannot be had leaves no
    /// folder behind (`serve --bind :69 --out /tmp/x` made /tmp/x before it found the port denied). Throws
    /// <see cref="SocketException"/> for the address and <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/>
    /// for the folder.
    /// </summary>
    public static ServerHost Start(IPEndPoint bind, string folder, ServerOptions options, IServerObserver? observer = null)
    {
        var store = new DirectoryFileStore(folder, options.MaxFileSize, options.Overwrite, options.AllowHidden, options.KeepPartial);
        FileHook? hook = null;
        if (options.OnFile is { } command)
        {
            string program = command.Resolve() ?? throw new FileNotFoundException("no program '" + command.Program + "' to run for --on-file", command.Program);
            var inner = observer ?? NullServerObserver.Instance;
            hook = new FileHook(command, program, options.OnFileTimeout, inner);
            observer = new HookingObserver(inner, hook, store.Directory);
        }
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
                    servers.Add(UdpServer.Bind(address, protocol, sharePort: threads > 1));
                }
                catch
                {
                    protocol.Dispose();
                    throw;
                }
            }
            // Before any datagram is read: the umask is learned here, and what an earlier run left is cleared.
            store.EnsureWritable();
            store.RemoveStaleTemporaryFiles();
            foreach (var server in servers)
            {
                server.StartReceiving();
            }
        }
        catch
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
            hook?.Dispose();
            throw;
        }
        return new ServerHost([.. servers], store, streams, hook);
    }

    /// <summary>Stops the server, then waits a little for file work still running (deleting discarded files).</summary>
    public void Dispose()
    {
        _expiry.Dispose();
        foreach (var server in _servers)
        {
            server.Stop();
        }
        foreach (var server in _servers)
        {
            server.Dispose();
        }
        Store.WaitForBackgroundWork(TimeSpan.FromSeconds(10));
        _hook?.Dispose();
    }
}
