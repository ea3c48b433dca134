using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Udpx.Relay;

/// <summary>
/// The impairment relay: receives client datagrams on the listen socket, gives each client
/// its own upstream socket to the server, and forwards both ways through each direction's
/// impairments. Threads: one receives from clients, one per client receives the server's
/// replies, and the delay queue's scheduler sends whatever had to wait.
/// </summary>
internal sealed class UdpRelay : IAsyncDisposable, IDisposable
{
    /// <summary>Receive buffer size: the largest datagram UDP can carry, rounded up.</summary>
    public const int MaxDatagramBytes = 64 * 1024;

    /// <summary>Most datagrams (and reorder deadlines) waiting in the delay queue at once.</summary>
    public const int QueueCapacity = 64 * 1024;

    private const int ListenBufferBytes = 4 << 20;
    private const int PooledBuffersPerSize = 1024;

    private readonly RelayOptions _options;
    private readonly TimeProvider _time;
    private readonly Socket _listen;
    private readonly ConcurrentDictionary<SocketAddress, RelayClient> _clients = new();
    private readonly DirectionCounters _toServerCounters = new();
    private readonly DirectionCounters _toClientCounters = new();
    private readonly TokenBucket? _toServerLink;
    private readonly TokenBucket? _toClientLink;
    private readonly DelayQueue<ScheduledDatagram> _queue;
    private readonly ArrayPool<byte> _buffers = ArrayPool<byte>.Create(MaxDatagramBytes, PooledBuffersPerSize);
    private readonly ITimer _reaper;
    private readonly TaskCompletionSource _listenerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextClientIndex;
    private long _rejected;
    private int _started;
    private volatile bool _listenerStarted;
    private int _stopping;

    public UdpRelay(RelayOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        Seed = options.Seed ?? Random.Shared.Next();
        _listen = new Socket(options.Listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var now = _time.GetTimestamp();
        _toServerLink = CreateLink(options.ClientToServer, now);
        _toClientLink = CreateLink(options.ServerToClient, now);
        _queue = new DelayQueue<ScheduledDatagram>(_time, static entry => entry.Lane.Release(entry), QueueCapacity);
        _reaper = _time.CreateTimer(static state => ((UdpRelay)state!).ReapIdleClients(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The seed in use: the configured one, or the one picked at random.</summary>
    public int Seed { get; }

    /// <summary>The address the relay is bound to; after <see cref="Start"/>, with the real port when 0 was asked.</summary>
    public IPEndPoint ListenEndPoint => (IPEndPoint?)_listen.LocalEndPoint ?? _options.Listen;

    /// <summary>Binds the listen socket and starts the threads.</summary>
    /// <exception cref="SocketException">The listen address cannot be bound.</exception>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The relay is already started.");
        }

        _listen.ReceiveBufferSize = ListenBufferBytes;
        _listen.SendBufferSize = ListenBufferBytes;
        _listen.Bind(_options.Listen);
        _queue.Start("udpx relay scheduler");
        var listener = new Thread(ReceiveFromClients, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "udpx relay listener",
        };
        _listenerStarted = true;
        listener.Start();
        var sweep = _options.IdleTimeout / 4;
        sweep = sweep < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50)
            : sweep > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : sweep;
        _reaper.Change(sweep, sweep);
    }

    public RelayStatistics GetStatistics() => new(
        _toServerCounters.Snapshot(),
        _toClientCounters.Snapshot(),
        _clients.Count,
        Interlocked.Read(ref _rejected),
        _queue.Count);

    /// <summary>
    /// Stops receiving, closes every socket and waits for the threads to end. Datagrams still
    /// waiting in the delay queue are discarded.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
        {
            await _listenerDone.Task;
            return;
        }

        await _reaper.DisposeAsync();
        _listen.Dispose();
        if (!_listenerStarted)
        {
            // Never started, or Start failed (e.g. the port is taken): no listener to wait for.
            _listenerDone.TrySetResult();
        }

        await _listenerDone.Task;
        var receivers = new List<Task>(_clients.Count);
        foreach (var pair in _clients)
        {
            pair.Value.Dispose();
            receivers.Add(pair.Value.Completion);
        }

        await Task.WhenAll(receivers);
        await _queue.StopAsync();
        _queue.Drain(static entry => entry.Lane.Discard(entry));
        _queue.Dispose();
        _clients.Clear();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public void Dispose()
    {
        // Closing the sockets is what ends the threads; no need to block on them here.
        Interlocked.Exchange(ref _stopping, 1);
        _reaper.Dispose();
        _listen.Dispose();
        foreach (var pair in _clients)
        {
            pair.Value.Dispose();
        }

        _queue.Dispose();
    }

    private TokenBucket? CreateLink(ImpairmentOptions options, long now) =>
        options.RateBytesPerSecond > 0 ? TokenBucket.ForRate(options.RateBytesPerSecond, _time.TimestampFrequency, now) : null;

    private void ReceiveFromClients()
    {
        try
        {
            var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagramBytes);
            // Written by every receive: owned by this thread alone.
            var source = new SocketAddress(_listen.AddressFamily);
            while (Volatile.Read(ref _stopping) == 0)
            {
                int received;
                try
                {
                    received = _listen.ReceiveFrom(buffer, SocketFlags.None, source);
                }
                catch (SocketException) when (Volatile.Read(ref _stopping) == 0)
                {
                    // A stray ICMP error reported on the listen socket; the socket itself is fine.
                    continue;
                }
                catch (SocketException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                var now = _time.GetTimestamp();
                if (!_clients.TryGetValue(source, out var client))
                {
                    client = AddClient(source);
                    if (client is null)
                    {
                        continue;
                    }
                }

                client.Touch(now);
                client.ToServer.Process(buffer.AsSpan(0, received), now);
            }
        }
        finally
        {
            _listenerDone.TrySetResult();
        }
    }

    /// <summary>A datagram from an address not seen before (or reaped): give it an upstream socket.</summary>
    private RelayClient? AddClient(SocketAddress source)
    {
        if (_clients.Count >= _options.MaxClients)
        {
            Interlocked.Increment(ref _rejected);
            return null;
        }

        Socket upstream;
        try
        {
            upstream = RelayClient.OpenUpstream(_options.Server);
        }
        catch (SocketException)
        {
            _toServerCounters.AddReceived();
            _toServerCounters.AddFailed();
            return null;
        }

        // The receive address is reused for the next datagram: the table keeps its own copy.
        var address = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(address.Buffer.Span);
        var index = _nextClientIndex++;
        var toServer = CreateLane(upstream, null, index, RelayDirection.ClientToServer);
        var toClient = CreateLane(_listen, address, index, RelayDirection.ServerToClient);
        var client = new RelayClient(index, address, upstream, toServer, toClient, _time);
        _clients[address] = client;
        client.Start();
        if (Volatile.Read(ref _stopping) != 0)
        {
            // Raced with StopAsync, which may already have closed the clients it saw.
            client.Dispose();
        }

        return client;
    }

    private RelayLane CreateLane(Socket socket, SocketAddress? destination, int clientIndex, RelayDirection direction)
    {
        var toServer = direction == RelayDirection.ClientToServer;
        var impairments = toServer ? _options.ClientToServer : _options.ServerToClient;
        var model = new ImpairmentModel(impairments, new Random(ImpairmentModel.DeriveSeed(Seed, clientIndex, direction)));
        return new RelayLane(
            socket,
            destination,
            model,
            toServer ? _toServerCounters : _toClientCounters,
            toServer ? _toServerLink : _toClientLink,
            _queue,
            _buffers,
            impairments.ReorderHold,
            _time.TimestampFrequency);
    }

    private void ReapIdleClients()
    {
        var now = _time.GetTimestamp();
        foreach (var pair in _clients)
        {
            if (_time.GetElapsedTime(pair.Value.LastActivity, now) >= _options.IdleTimeout && _clients.TryRemove(pair))
            {
                pair.Value.Dispose();
            }
        }
    }
}
