using System.Net;
using System.Net.Sockets;
using Udpx.Net;

namespace Udpx.Server;

/// <summary>
/// A udpx server on one UDP socket: a dedicated thread receives with blocking calls and drives the
/// <see cref="ServerProtocol"/>; replies go out on the same socket. Stop() ends it cleanly: active
/// sessions are discarded, nothing half-written stays under a final name.
/// </summary>
internal sealed class UdpServer : IDatagramSink, IDisposable
{
    private const int SocketBufferBytes = 8 << 20;
    private const int PollMicros = 1_000;

    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly MonotonicClock _clock;

    // Signalled when a file has been made or stored off this thread: its Accept or Done goes out at once, not
    // at the next poll (up to 1 ms later, twice per file: most of a small file's 3 ms on a host path).
    private readonly WakeEvent? _wake = WakeEvent.TryCreate();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    private UdpServer(Socket socket, ServerProtocol protocol, TimeProvider time)
    {
        _socket = socket;
        Protocol = protocol;
        _clock = new MonotonicClock(time);
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "udpx-server " + LocalEndPoint };
        if (_wake is { } wake)
        {
            protocol.BackgroundCompleted = wake.Signal;
        }
    }

    public ServerProtocol Protocol { get; }

    /// <summary>Set when the kernel granted smaller socket buffers than asked for: a line to show the user.</summary>
    public string? BufferWarning { get; private init; }

    /// <summary>True when the kernel hands over several datagrams per receive (UDP GRO).</summary>
    public bool Coalescing { get; private init; }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Completes when the receive thread has ended.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Binds and starts. Throws <see cref="SocketException"/> (e.g. address in use) before any thread starts.</summary>
    /// <param name="sharePort">
    /// Bind with SO_REUSEPORT, as one of several receive threads on one address: the kernel then hands each
    /// client address (its 4-tuple hash) to one socket of the group, always the same one. Linux only.
    /// </param>
    public static UdpServer Start(IPEndPoint bind, ServerProtocol protocol, TimeProvider? time = null, bool sharePort = false)
    {
        var server = Bind(bind, protocol, time, sharePort);
        server.StartReceiving();
        return server;
    }

    /// <summary>
    /// Binds without receiving yet, so that a caller can bind every port before it makes anything (the folder)
    /// and start only when all is ready; <see cref="StartReceiving"/> starts. Throws as <see cref="Start"/>.
    /// </summary>
    public static UdpServer Bind(IPEndPoint bind, ServerProtocol protocol, TimeProvider? time = null, bool sharePort = false)
    {
        var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        bool coalescing;
        string? bufferWarning;
        try
        {
            if (bind.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = true;
            }
            bufferWarning = SocketBuffers.Apply(socket, SocketBufferBytes);
            if (sharePort)
            {
                ReusePort.Enable(socket);
            }
            socket.Bind(bind);
            coalescing = UdpOffload.TryEnableCoalescing(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new UdpServer(socket, protocol, time ?? TimeProvider.System) { Coalescing = coalescing, BufferWarning = bufferWarning };
    }

    /// <summary>Starts the receive thread of a server made by <see cref="Bind"/>.</summary>
    public void StartReceiving() => _thread.Start();

    /// <summary>The receive buffer the kernel really granted (it may clamp what we asked for).</summary>
    public int ReceiveBufferBytes => _socket.ReceiveBufferSize;

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
        }
        catch (SocketException)
        {
            // The client went away; its session expires on its own.
        }
    }

    public void Stop()
    {
        _stopping = true;
    }

    private void ReceiveLoop()
    {
        // Room for a coalesced receive (up to 64 KiB) or one largest datagram.
        byte[] buffer = GC.AllocateUninitializedArray<byte>(1 << 17, pinned: true);
        var from = new SocketAddress(_socket.AddressFamily);
        long nextPoll = 0;
        try
        {
            while (!_stopping)
            {
                long now = _clock.NowMicros;
                if (now >= nextPoll)
                {
                    Protocol.Poll(now, this);
                    nextPoll = now + PollMicros;
                }
                else if (Protocol.AwaitsBackground)
                {
                    Protocol.PollBackground(now, this);
                }
                try
                {
                    bool woken = false;
                    bool readable = _wake is null ? _socket.Poll(PollMicros, SelectMode.SelectRead) : SocketWait.Readable(_socket, _wake, PollMicros, out woken);
                    if (woken)
                    {
                        _wake!.Clear();
                    }
                    if (!readable)
                    {
                        continue;
                    }
                    // Readable: read at least one datagram whatever Available says. Linux reports the size of
                    // the next datagram, 0 for an empty one, which would otherwise stay first in the queue
                    // forever and wedge the server.
                    int budget = 256;
                    do
                    {
                        int n = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                        if (Coalescing)
                        {
                            Protocol.HandleCoalesced(buffer.AsSpan(0, n), from, _clock.NowMicros, this);
                        }
                        else
                        {
                            Protocol.Handle(buffer.AsSpan(0, n), from, _clock.NowMicros, this);
                        }
                    }
                    while (--budget > 0 && _socket.Available > 0);
                }
                catch (SocketException)
                {
                    // An ICMP error reported on the socket, or a truncated datagram: not ours to die of.
                }
                catch (Exception ex) when (ex is not ObjectDisposedException)
                {
                    // A bug must not take the server down with every other session: count it, go on.
                    Protocol.Stats.CountInternalError(ex);
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Protocol.BackgroundCompleted = null;
            Protocol.Dispose();
            _wake?.Dispose();
            _completion.TrySetResult();
        }
    }

    public void Dispose()
    {
        Stop();
        if (_thread.IsAlive && Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
        _socket.Dispose();
    }
}
