using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Udpx.Relay;

namespace Udpx.Tests.Relay;

/// <summary>One lane on its own, driven by hand: the per-datagram path and its buffers.</summary>
public sealed class RelayLaneTests : IDisposable
{
    private readonly Socket _sink = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _upstream = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly ManualTimeProvider _clock = new();
    private readonly DirectionCounters _counters = new();
    private readonly DelayQueue<ScheduledDatagram> _queue;

    public RelayLaneTests()
    {
        _sink.ReceiveBufferSize = 8 << 20;
        _sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _upstream.Connect(_sink.LocalEndPoint!);
        _queue = new DelayQueue<ScheduledDatagram>(_clock, static entry => entry.Lane.Release(entry), 1024);
    }

    public void Dispose()
    {
        _queue.Dispose();
        _upstream.Dispose();
        _sink.Dispose();
    }

    [Fact]
    public void Forwarding_at_once_allocates_nothing_per_datagram()
    {
        var lane = Lane(new ImpairmentOptions { LossPercent = 10, DuplicatePercent = 10, CorruptPercent = 10 });
        var payload = new byte[200];
        Forward(lane, payload, 200); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        Forward(lane, payload, 2_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Drain();
    }

    [Fact]
    public void Receiving_and_finding_the_client_by_socket_address_allocates_nothing()
    {
        // The listen loop's calls: ReceiveFrom into a reused SocketAddress, then the table lookup.
        var clients = new System.Collections.Concurrent.ConcurrentDictionary<SocketAddress, RelayLaneTests>();
        var known = _upstream.LocalEndPoint!.Serialize();
        clients[known] = this;
        var source = new SocketAddress(AddressFamily.InterNetwork);
        var buffer = new byte[2048];
        var found = 0;
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 100; i++)
            {
                _upstream.Send(buffer.AsSpan(0, 100));
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                _sink.ReceiveFrom(buffer, SocketFlags.None, source);
                found += clients.TryGetValue(source, out _) ? 1 : 0;
            }

            if (round > 0)
            {
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }

        Assert.Equal(200, found);
    }

    [Fact]
    public void Delaying_and_reordering_allocate_nothing_per_datagram_once_warm()
    {
        var pool = ArrayPool<byte>.Create(UdpRelay.MaxDatagramBytes, 64);
        var lane = Lane(new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(5), Jitter = TimeSpan.FromMilliseconds(2), ReorderPercent = 30 }, pool);
        var payload = new byte[200];

        // Fill the pool beyond the most datagrams ever waiting here (about 40), so no round has to grow it.
        var warm = Enumerable.Range(0, 64).Select(_ => pool.Rent(payload.Length)).ToArray();
        foreach (var buffer in warm)
        {
            pool.Return(buffer);
        }

        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                Forward(lane, payload, 5);
                _clock.Advance(TimeSpan.FromMilliseconds(1));
                _queue.ReleaseDue();
            }

            _clock.Advance(TimeSpan.FromSeconds(1));
            _queue.ReleaseDue();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round > 0)
            {
                Assert.Equal(0, allocated);
            }

            Drain();
        }

        var counters = _counters.Snapshot();
        Assert.Equal(1_500, counters.Received);
        Assert.Equal(1_500, counters.Forwarded);
        Assert.True(counters.Reordered > 0);
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void A_held_datagram_goes_right_after_the_next_one()
    {
        // Seeded so that the first datagram is held and the second is not.
        var lane = LaneHoldingFirstOnly();
        lane.Process(new byte[] { 1 }, _clock.GetTimestamp());
        Assert.Equal(0, _sink.Available);
        lane.Process(new byte[] { 2 }, _clock.GetTimestamp());

        Assert.Equal([2], ReceiveFromSink());
        Assert.Equal([1], ReceiveFromSink());
        Assert.Equal(1, _counters.Snapshot().Reordered);

        // The hold's deadline, when it comes, finds nothing left to send.
        _clock.Advance(TimeSpan.FromSeconds(1));
        _queue.ReleaseDue();
        Assert.Equal(0, _sink.Available);
    }

    [Fact]
    public void A_held_datagram_without_successor_goes_at_its_deadline()
    {
        var lane = LaneHoldingFirstOnly();
        lane.Process(new byte[] { 1 }, _clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromMilliseconds(9));
        _queue.ReleaseDue();
        Assert.Equal(0, _sink.Available);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _queue.ReleaseDue();
        Assert.Equal([1], ReceiveFromSink());
    }

    [Fact]
    public void Delayed_datagrams_leave_in_release_order()
    {
        var lane = Lane(new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(10), Jitter = TimeSpan.FromMilliseconds(10) });
        for (byte i = 0; i < 50; i++)
        {
            lane.Process(new[] { i }, _clock.GetTimestamp());
        }

        Assert.Equal(50, _queue.Count);
        Assert.Equal(50, _counters.Snapshot().Delayed);
        Assert.Equal(0, _sink.Available);
        var releases = new List<long>();
        while (_queue.NextReleaseTimestamp is { } next)
        {
            releases.Add(next);
            _clock.Advance(TimeSpan.FromTicks(next - _clock.GetTimestamp()));
            _queue.ReleaseDue();
        }

        Assert.Equal(releases.Order(), releases);
        Assert.Equal(50, _counters.Snapshot().Forwarded);
        Drain();
    }

    private RelayLane LaneHoldingFirstOnly()
    {
        var options = new ImpairmentOptions { ReorderPercent = 50 };
        for (var seed = 1; ; seed++)
        {
            var probe = new ImpairmentModel(options, new Random(seed));
            if (probe.Decide().Reorder && !probe.Decide().Reorder)
            {
                return new RelayLane(
                    _upstream, null, new ImpairmentModel(options, new Random(seed)), _counters, null, _queue,
                    ArrayPool<byte>.Create(), options.ReorderHold, _clock.TimestampFrequency);
            }
        }
    }

    private RelayLane Lane(ImpairmentOptions options, ArrayPool<byte>? pool = null) => new(
        _upstream,
        null,
        new ImpairmentModel(options, new Random(3)),
        _counters,
        null,
        _queue,
        pool ?? ArrayPool<byte>.Create(UdpRelay.MaxDatagramBytes, 64),
        options.ReorderHold,
        _clock.TimestampFrequency);

    private void Forward(RelayLane lane, byte[] payload, int count)
    {
        for (var i = 0; i < count; i++)
        {
            lane.Process(payload, _clock.GetTimestamp());
        }
    }

    private byte[] ReceiveFromSink()
    {
        var buffer = new byte[65536];
        _sink.ReceiveTimeout = 5_000;
        var length = _sink.Receive(buffer);
        return buffer.AsSpan(0, length).ToArray();
    }

    private void Drain()
    {
        var buffer = new byte[65536];
        while (_sink.Available > 0)
        {
            _sink.Receive(buffer);
        }
    }
}
