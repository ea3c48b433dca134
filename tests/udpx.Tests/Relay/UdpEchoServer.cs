using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Udpx.Tests.Relay;

/// <summary>A UDP server on 127.0.0.1 (free port) that sends every datagram back to its sender and keeps a copy.</summary>
internal sealed class UdpEchoServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _thread;

    public UdpEchoServer()
    {
        _socket.ReceiveBufferSize = 4 << 20;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _thread = new Thread(Echo) { IsBackground = true, Name = "test echo server" };
        _thread.Start();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Every datagram received, in arrival order, with the address it came from.</summary>
    public ConcurrentQueue<(IPEndPoint From, byte[] Payload)> Received { get; } = new();

    public void Dispose()
    {
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private void Echo()
    {
        var buffer = new byte[65536];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        var template = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, source);
                Received.Enqueue(((IPEndPoint)template.Create(source), buffer.AsSpan(0, length).ToArray()));
                _socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, source);
            }
            catch (SocketException) when (_socket.SafeHandle.IsClosed)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
