using System.Net;
using System.Net.Sockets;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A one-socket UDP forwarder between one client and a server on loopback that can slip datagrams of its
/// own to the client (which sees them coming from its "server"): for on-path hostile input to the client.
/// </summary>
internal sealed class InjectingProxy : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly Func<int, byte[]?> _inject;
    private readonly Thread _thread;
    private EndPoint? _client;
    private volatile bool _stopping;

    /// <param name="server">Where to forward the client's datagrams.</param>
    /// <param name="inject">Called before the n-th datagram from the server is forwarded; a datagram to send the client first, or null.</param>
    public InjectingProxy(IPEndPoint server, Func<int, byte[]?> inject)
    {
        _server = server;
        _inject = inject;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _thread = new Thread(Run) { IsBackground = true, Name = "injecting proxy" };
        _thread.Start();
    }

    public string Address => _socket.LocalEndPoint!.ToString()!;

    public int Injected { get; private set; }

    private void Run()
    {
        byte[] buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int fromServer = 0;
        while (!_stopping)
        {
            try
            {
                if (!_socket.Poll(10_000, SelectMode.SelectRead))
                {
                    continue;
                }
                int n = _socket.ReceiveFrom(buffer, ref from);
                if (from.Equals(_server))
                {
                    if (_client is null)
                    {
                        continue;
                    }
                    if (_inject(fromServer++) is { } extra)
                    {
                        _socket.SendTo(extra, _client);
                        Injected++;
                    }
                    _socket.SendTo(buffer.AsSpan(0, n), SocketFlags.None, _client);
                }
                else
                {
                    _client = from.Create(from.Serialize());
                    _socket.SendTo(buffer.AsSpan(0, n), SocketFlags.None, _server);
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }
}
