using System.Net;
using System.Net.Sockets;
using Udpx.Engine;

namespace Udpx.Server;

/// <summary>A running server with its folder: what `udpx serve` and the demo start.</summary>
internal sealed class ServerHost : IDisposable
{
    private readonly Timer _expiry;

    private ServerHost(UdpServer server, DirectoryFileStore store, DatagramRing stream)
    {
        Server = server;
        Store = store;
        Stream = stream;
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

    public UdpServer Server { get; }

    public DirectoryFileStore Store { get; }

    public DatagramRing Stream { get; }

    public ServerProtocol Protocol => Server.Protocol;

    public IPEndPoint EndPoint => Server.LocalEndPoint;

    /// <summary>
    /// Checks the folder, then binds. Throws <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/>
    /// for the folder and <see cref="SocketException"/> for the address.
    /// </summary>
    public static ServerHost Start(IPEndPoint bind, string folder, ServerOptions options, IServerObserver? observer = null)
    {
        var store = new DirectoryFileStore(folder, options.MaxFileSize, options.Overwrite, options.AllowHidden, options.KeepPartial);
        store.EnsureWritable();
        store.RemoveStaleTemporaryFiles();
        var stream = new DatagramRing(1024);
        var protocol = new ServerProtocol(options, store, observer) { Stream = stream };
        try
        {
            return new ServerHost(UdpServer.Start(bind, protocol), store, stream);
        }
        catch
        {
            protocol.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server, then waits a little for file work still running (deleting discarded files).</summary>
    public void Dispose()
    {
        _expiry.Dispose();
        Server.Dispose();
        Store.WaitForBackgroundWork(TimeSpan.FromSeconds(10));
    }
}
