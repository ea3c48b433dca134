using Udpx.Ui.Models;

namespace Udpx.Tests.Ui;

public sealed class ServerViewModelTests
{
    [Fact]
    public void A_live_server_gives_session_rows_a_stream_labelled_by_peer_and_a_rate_graph()
    {
        using var live = new LiveServer();
        var first = live.Start("one.bin", 100_000, stopAfter: 40_000, port: 40001, sessionId: 1);
        live.Start("two.bin", 100_000, stopAfter: 20_000, port: 40002, sessionId: 2);
        var model = new ServerViewModel(live.Server, live.Ring, "udpx server on :9000");

        model.Update(0);
        live.Continue(first, long.MaxValue); // to the end: the last chunk, then the Finish and its Done
        model.Update(1_000_000);

        Assert.Equal(["two.bin", "one.bin"], model.Sessions.Rows.Select(r => r.Name));
        Assert.Equal("127.0.0.1:40002", model.Sessions.Rows[0].Peer);
        Assert.Equal(Udpx.Server.SessionState.Done, model.Sessions.Rows[1].State);
        Assert.Equal(100, model.Sessions.Rows[1].Percent);
        Assert.Contains(model.Stream.Entries, e => e.Label == "127.0.0.1:40001");
        Assert.Contains(model.Stream.Entries, e => e.Label == "127.0.0.1:40002");
        Assert.StartsWith("udpx server on :9000  1 active / 2 sessions", model.Header(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, model.Problems());
        Assert.Single(model.History.ToArray());
        Assert.True(model.History.Latest > 50_000);
        string[] graph = [.. model.GraphLines(78, 3)];
        Assert.Equal(3, graph.Length);
        Assert.Equal('█', graph[0][^1]);
        Assert.StartsWith("rate, last 60 s: now ", model.GraphTitle(), StringComparison.Ordinal);

        var compact = model.CompactLines(38, 12);
        Assert.True(compact.Count <= 12);
        Assert.Contains(compact, l => l.Contains("two.bin", StringComparison.Ordinal));
        Assert.Contains(compact, l => l.Contains("first", StringComparison.Ordinal));
    }

    [Fact]
    public void Datagrams_dropped_before_any_session_are_listed()
    {
        using var live = new LiveServer();
        var model = new ServerViewModel(live.Server, live.Ring);
        var from = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5).Serialize();
        live.Server.Handle(new byte[40], from, 0, new NullSink());
        live.Server.Handle("not udpx at all, just text"u8, from, 0, new NullSink());

        model.Update(0);

        Assert.StartsWith("dropped: ", model.Problems(), StringComparison.Ordinal);
    }

    private sealed class NullSink : Udpx.Server.IDatagramSink
    {
        public void Send(ReadOnlySpan<byte> datagram, System.Net.SocketAddress to)
        {
        }
    }
}
