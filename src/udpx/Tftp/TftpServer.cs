using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Udpx.Net;

namespace Udpx.Tftp;

/// <summary>
/// `udpx serve --tftp`: the TFTP listener. It reads requests on its port (69 by default) and gives each
/// transfer a socket of its own on a new port (its TID) and a thread that drives it
/// (<see cref="TftpServerTransfer"/>). Anything on the listening port that is not a well-formed RRQ or
/// WRQ gets error 4; the reply is never longer than what it answers. A request repeated by a client
/// whose first answer was lost or slow (same address and port, same request, its transfer still
/// running) starts nothing: a second transfer would refuse the name as busy (a WRQ) or race the first.
/// It tells the running transfer instead, whose OACK then goes again (and only then: a client that has
/// the OACK never repeats its request); any other first answer goes again on the transfer's timer.
/// </summary>
internal sealed class TftpServer : IDisposable
{
    private readonly Socket _socket;
    private readonly TftpServerOptions _options;
    private readonly ITftpFiles _files;
    private readonly ITftpObserver _observer;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, TftpSession> _sessions = new();
    private readonly Queue<TftpSession> _recent = new();
    private readonly ConcurrentDictionary<IPEndPoint, TftpRequest> _byPeer = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _listener;
    private readonly List<Thread> _transfers = [];
    private readonly Lock _gate = new();
    private long _nextId;
    private int _running;

    private TftpServer(Socket socket, TftpServerOptions options, ITftpFiles files, ITftpObserver observer, TimeProvider time)
    {
        _socket = socket;
        _options = options;
        _files = files;
        _observer = observer;
        _time = time;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _listener = new Thread(Listen) { IsBackground = true, Name = "udpx-tftp-listener" };
    }

    public IPEndPoint LocalEndPoint { get; }

    public TftpServerStats Stats { get; } = new();

    /// <summary>
    /// Transfers in progress. Not one that has ended and whose thread has yet to take it off the list: a screen
    /// that shows it done must not find it here too.
    /// </summary>
    public IReadOnlyList<TftpSession> Sessions => [.. _sessions.Values.Where(session => !session.Ended)];

    /// <summary>
    /// What a screen lists: the transfers in progress, then the last <see cref="RecentShown"/> that ended,
    /// each for <see cref="TftpServerOptions.Linger"/> after its end (udpx's server keeps its finished sessions the same way).
    /// </summary>
    public IReadOnlyList<TftpSession> Shown
    {
        get
        {
            long now = new MonotonicClock(_time).NowMicros;
            long linger = (long)(_options.Linger.Ticks / 10);
            lock (_gate)
            {
                // Under the lock that moves an ended session from one list to the other: each shows once.
                var shown = new List<TftpSession>(_sessions.Values);
                while (_recent.TryPeek(out var oldest) && now - oldest.EndedMicros >= linger)
                {
                    _recent.Dequeue();
                }
                shown.AddRange(_recent);
                return shown;
            }
        }
    }

    /// <summary>Ended transfers kept for the screen, at most (the same bound as udpx's <c>ServerProtocol.RecentShown</c>).</summary>
    public const int RecentShown = 64;

    /// <summary>Binds the listening port; throws <see cref="SocketException"/> when it cannot.</summary>
    public static TftpServer Start(IPEndPoint bind, TftpServerOptions options, ITftpFiles files, ITftpObserver observer, TimeProvider? time = null) =>
        Start(Bind(bind), options, files, observer, time);

    /// <summary>The listening socket alone, so that a caller can hold the port before it makes or announces anything.</summary>
    public static Socket Bind(IPEndPoint bind)
    {
        var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(bind);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    /// <summary>Serves on <paramref name="socket"/>, bound by <see cref="Bind"/>; the server owns it from here.</summary>
    public static TftpServer Start(Socket socket, TftpServerOptions options, ITftpFiles files, ITftpObserver observer, TimeProvider? time = null)
    {
        var server = new TftpServer(socket, options, files, observer, time ?? TimeProvider.System);
        server._listener.Start();
        return server;
    }

    private void Listen()
    {
        var buffer = new byte[65536];
        var reply = new byte[TftpCodec.MaxRequestBytes];
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            int received;
            EndPoint from = any;
            try
            {
                received = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            var peer = (IPEndPoint)from;
            Stats.CountRequest();
            var packet = buffer.AsSpan(0, received);
            if (!TftpCodec.TryReadRequest(packet, out var request, out string why))
            {
                Stats.CountMalformed();
                _observer.Refused(peer.ToString(), string.Empty, why);
                Answer(peer, reply, received, TftpError.IllegalOperation, "illegal TFTP operation: " + why);
                continue;
            }
            if (_byPeer.TryGetValue(peer, out var running) && running.IsWrite == request!.IsWrite && running.FileName == request.FileName)
            {
                Stats.CountDuplicate();
                foreach (var session in _sessions.Values)
                {
                    if (!session.Ended && session.Peer.Equals(peer))
                    {
                        session.NoteRequestRepeated();
                    }
                }
                continue;
            }
            if (Interlocked.Increment(ref _running) > _options.MaxSessions)
            {
                Interlocked.Decrement(ref _running);
                Stats.CountRefused();
                _observer.Refused(peer.ToString(), request!.FileName, "server busy");
                Answer(peer, reply, received, TftpError.NotDefined, "server busy, try again later");
                continue;
            }
            _byPeer[peer] = request!;
            long id = Interlocked.Increment(ref _nextId);
            var thread = new Thread(() => Serve(id, peer, request!)) { IsBackground = true, Name = "udpx-tftp " + id };
            lock (_gate)
            {
                _transfers.RemoveAll(t => !t.IsAlive);
                _transfers.Add(thread);
            }
            thread.Start();
        }
    }

    private void Serve(long id, IPEndPoint peer, TftpRequest request)
    {
        try
        {
            var transfer = new TftpServerTransfer(_options, _files, _observer, Stats, _time);
            transfer.Run(id, LocalEndPoint.Address, peer, request, session => _sessions[id] = session, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            Stats.CountFailed();
            // A fixed text: the exception's message may name the server's paths.
            _observer.Refused(peer.ToString(), request.FileName, ex is SocketException socket ? "socket error: " + socket.SocketErrorCode : "file error on the server");
        }
        finally
        {
            _byPeer.TryRemove(new KeyValuePair<IPEndPoint, TftpRequest>(peer, request));
            lock (_gate)
            {
                if (_sessions.TryRemove(id, out var session) && session.Ended)
                {
                    _recent.Enqueue(session);
                    if (_recent.Count > RecentShown)
                    {
                        _recent.Dequeue();
                    }
                }
            }
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>An error from the listening port, cut so that it is no longer than the datagram it answers (no amplification).</summary>
    private void Answer(IPEndPoint peer, byte[] reply, int receivedLength, TftpError code, string message)
    {
        int room = Math.Max(5, Math.Min(reply.Length, receivedLength));
        int length = TftpCodec.WriteError(reply.AsSpan(0, room), code, message);
        try
        {
            _socket.SendTo(reply.AsSpan(0, length), SocketFlags.None, peer);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Stops listening, tells the transfers in progress (an ERROR each; a write's temporary file is deleted) and waits for them a little.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _listener.Join(TimeSpan.FromSeconds(2));
        Thread[] transfers;
        lock (_gate)
        {
            transfers = [.. _transfers];
        }
        foreach (var t in transfers)
        {
            t.Join(TimeSpan.FromSeconds(2));
        }
        _stop.Dispose();
    }
}

/// <summary>Counters of the TFTP listener, written by its threads, read by anyone.</summary>
internal sealed class TftpServerStats
{
    private long _requests;
    private long _malformed;
    private long _refused;
    private long _completed;
    private long _failed;
    private long _duplicates;

    public long Requests => Interlocked.Read(ref _requests);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long Refused => Interlocked.Read(ref _refused);

    public long Completed => Interlocked.Read(ref _completed);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Requests ignored as repeats of one whose transfer is running.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void CountMalformed() => Interlocked.Increment(ref _malformed);

    internal void CountRefused() => Interlocked.Increment(ref _refused);

    internal void CountCompleted() => Interlocked.Increment(ref _completed);

    internal void CountFailed() => Interlocked.Increment(ref _failed);

    internal void CountDuplicate() => Interlocked.Increment(ref _duplicates);
}
