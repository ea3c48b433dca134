using System.Net;
using System.Net.Sockets;

namespace Udpx.Relay;

/// <summary>
/// One client of the relay: its address, its own upstream socket connected to the server (so
/// the server sees one port per client), the two lanes of its traffic, and the thread that
/// receives the server's replies on the upstream socket.
/// </summary>
internal sealed class RelayClient : IDisposable
{
    private const int ReceiveBufferBytes = 1 << 20;

    private readonly Socket _upstream;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _receiverDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastActivity;
    private volatile bool _disposed;

    public RelayClient(int index, SocketAddress address, Socket upstream, RelayLane toServer, RelayLane toClient, TimeProvider time)
    {
        Index = index;
        Address = address;
        _upstream = upstream;
        ToServer = toServer;
        ToClient = toClient;
        _time = time;
        _lastActivity = time.GetTimestamp();
    }

    /// <summary>Order in which the relay first heard from this client, from 0.</summary>
    public int Index { get; }

    /// <summary>The client's address: the relay's key for it and the destination of its replies.</summary>
    public SocketAddress Address { get; }

    public RelayLane ToServer { get; }

    public RelayLane ToClient { get; }

    /// <summary>Timestamp of the last datagram either way.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Completes when the reply receiver has stopped.</summary>
    public Task Completion => _receiverDone.Task;

    /// <summary>Opens the upstream socket toward the server for a new client.</summary>
    public static Socket OpenUpstream(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = ReceiveBufferBytes;
            socket.SendBufferSize = ReceiveBufferBytes;
            socket.Connect(server);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Touch(long now) => Volatile.Write(ref _lastActivity, now);

    /// <summary>Starts the thread that forwards the server's replies to this client.</summary>
    public void Start()
    {
        var thread = new Thread(ReceiveReplies, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "udpx relay client",
        };
        thread.Start();
    }

    /// <summary>Closes the upstream socket, which ends the reply receiver.</summary>
    public void Dispose()
    {
        _disposed = true;
        _upstream.Dispose();
    }

    private void ReceiveReplies()
    {
        try
        {
            var buffer = GC.AllocateUninitializedArray<byte>(UdpRelay.MaxDatagramBytes);
            while (!_disposed)
            {
                int received;
                SocketError error;
                try
                {
                    received = _upstream.Receive(buffer, SocketFlags.None, out error);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                if (error != SocketError.Success)
                {
                    // Refused: the server is not up yet (an ICMP reply to an earlier send). Keep listening.
                    if (_disposed || error is not (SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.MessageSize))
                    {
                        return;
                    }

                    continue;
                }

                var now = _time.GetTimestamp();
                Touch(now);
                ToClient.Process(buffer.AsSpan(0, received), now);
            }
        }
        finally
        {
            _receiverDone.TrySetResult();
        }
    }
}
