using System.Net;
using System.Net.Sockets;

namespace Udpx.Tests.Gns3;

/// <summary>
/// A UDP forwarder on loopback between clients and one server that keeps a copy of every datagram in
/// both directions, with the addresses a link capture between client and server would show: a capture
/// of a real transfer that needs neither root nor tcpdump.
/// </summary>
internal sealed class RecordingProxy : IDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly Dictionary<IPEndPoint, Socket> _backs = [];
    private readonly List<RecordedDatagram> _datagrams = [];
    private readonly Thread _thread;
    private volatile bool _stopping;

    public RecordingProxy(IPEndPoint server)
    {
        _server = server;
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _thread = new Thread(Run) { IsBackground = true, Name = "recording proxy" };
        _thread.Start();
    }

    /// <summary>Where clients send.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_front.LocalEndPoint!;

    /// <summary>Every datagram forwarded so far, in order; as if the client had talked to the server directly.</summary>
    public IReadOnlyList<RecordedDatagram> Datagrams
    {
        get
        {
            lock (_datagrams)
            {
                return [.. _datagrams];
            }
        }
    }

    private void Run()
    {
        byte[] buffer = new byte[65536];
        var readable = new List<Socket>();
        while (!_stopping)
        {
            readable.Clear();
            readable.Add(_front);
            readable.AddRange(_backs.Values);
            try
            {
                Socket.Select(readable, null, null, 10_000);
                foreach (var socket in readable)
                {
                    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                    int n = socket.ReceiveFrom(buffer, ref from);
                    var sender = (IPEndPoint)from;
                    if (socket == _front)
                    {
                        if (!_backs.TryGetValue(sender, out var back))
                        {
                            back = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                            back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                            _backs[sender] = back;
                        }
                        Record(sender, _server, buffer.AsSpan(0, n));
                        back.SendTo(buffer.AsSpan(0, n), SocketFlags.None, _server);
                    }
                    else
                    {
                        var client = _backs.First(pair => pair.Value == socket).Key;
                        Record(_server, client, buffer.AsSpan(0, n));
                        _front.SendTo(buffer.AsSpan(0, n), SocketFlags.None, client);
                    }
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

    private void Record(IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> datagram)
    {
        lock (_datagrams)
        {
            _datagrams.Add(new RecordedDatagram(from, to, datagram.ToArray(), DateTimeOffset.UtcNow));
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _front.Dispose();
        foreach (var back in _backs.Values)
        {
            back.Dispose();
        }
    }
}

internal sealed record RecordedDatagram(IPEndPoint From, IPEndPoint To, byte[] Bytes, DateTimeOffset Time);
