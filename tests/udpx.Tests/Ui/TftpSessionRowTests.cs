using Udpx.Server;
using Udpx.Tests.Tftp;
using Udpx.Tftp;
using Udpx.Ui.Models;

namespace Udpx.Tests.Ui;

/// <summary>`serve --tftp` under the TUI: the TFTP listener's transfers in the server's sessions table, over real loopback sockets.</summary>
public sealed class TftpSessionRowTests
{
    [Fact]
    public void A_tftp_read_is_a_row_while_it_runs_and_stays_listed_after_it_ends()
    {
        using var tftp = new TftpFixture(allowWrite: false);
        byte[] file = new byte[1300];
        Random.Shared.NextBytes(file);
        tftp.Shared("boot.img", file);
        using var live = new LiveServer();
        var model = new ServerViewModel(ServerShards.Of(live.Server, live.Ring), "udpx server", tftp: tftp.Server);
        using var client = new TftpHandClient();

        Assert.Equal(512, client.Read(tftp.Port, "boot.img").Length);
        Assert.Equal(512, client.Ack(1, last: false)!.Length);
        var running = WaitForRow(model, r => r.BytesReceived == 512);

        Assert.Equal("tftp 127.0.0.1:" + client.Port, running.Peer);
        Assert.Equal("boot.img", running.Name);
        Assert.Equal(1300, running.FileSize);
        Assert.Equal(39, Math.Floor(running.Percent));
        Assert.Equal("read", running.StateText);
        Assert.Equal(1, model.Sessions.Active);
        string line = Assert.Single(model.Sessions.Lines(100), l => l.Contains("boot.img", StringComparison.Ordinal));
        Assert.Contains("tftp 127.0.0.1:" + client.Port, line, StringComparison.Ordinal);
        Assert.Matches(@"\s39\s", line);
        Assert.EndsWith("read", line.TrimEnd(), StringComparison.Ordinal);

        Assert.Equal(276, client.Ack(2, last: false)!.Length);
        client.Ack(3, last: true);
        var ended = WaitForRow(model, r => r.State == SessionState.Done);

        Assert.Equal(1300, ended.BytesReceived);
        Assert.Equal(100, ended.Percent);
        Assert.Equal("sent", ended.StateText);
        Assert.True(ended.BytesPerSecond > 0);
        Assert.Equal(0, model.Sessions.Active);
        Assert.Empty(tftp.Server.Sessions);
        Assert.Contains("0 active / 1 sessions", model.Header(), StringComparison.Ordinal);
        Assert.Contains("done 1, failed 0", model.Header(), StringComparison.Ordinal);
        Assert.EndsWith("sent", Assert.Single(model.Sessions.Lines(100), l => l.Contains("boot.img", StringComparison.Ordinal)).TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_tftp_write_is_counted_in_the_problems_line_and_makes_no_row()
    {
        using var tftp = new TftpFixture(allowWrite: false);
        using var live = new LiveServer();
        var model = new ServerViewModel(ServerShards.Of(live.Server, live.Ring), tftp: tftp.Server);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        socket.ReceiveTimeout = 5000;
        socket.SendTo([0, 2, .. "up.bin"u8, 0, .. "octet"u8, 0], new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, tftp.Port));
        socket.Receive(new byte[600]); // the ERROR: by then the refusal is counted

        model.Update(0);

        Assert.Empty(model.Sessions.Rows);
        Assert.Equal("dropped: 1 tftp refused", model.Problems());
    }

    [Fact]
    public void Ended_tftp_transfers_are_kept_for_the_screen_up_to_a_bound()
    {
        using var tftp = new TftpFixture(allowWrite: false);
        tftp.Shared("tiny.bin", [1, 2, 3]);
        int reads = TftpServer.RecentShown + 3;
        for (int i = 0; i < reads; i++)
        {
            using var client = new TftpHandClient();
            Assert.Equal(3, client.Read(tftp.Port, "tiny.bin").Length);
            client.Ack(1, last: true);
        }
        WaitUntil(() => tftp.Server.Stats.Completed == reads && tftp.Server.Sessions.Count == 0);

        var shown = tftp.Server.Shown;
        Assert.Equal(TftpServer.RecentShown, shown.Count);
        Assert.All(shown, s => Assert.True(s.Ended && s.Succeeded));
    }

    [Fact]
    public void An_ended_tftp_transfer_leaves_the_screen_after_the_linger()
    {
        using var tftp = new TftpFixture(allowWrite: false, options: new TftpServerOptions { Linger = TimeSpan.Zero });
        tftp.Shared("tiny.bin", [1, 2, 3]);
        using var client = new TftpHandClient();
        client.Read(tftp.Port, "tiny.bin");
        client.Ack(1, last: true);

        WaitUntil(() => tftp.Server.Stats.Completed == 1 && tftp.Server.Sessions.Count == 0);

        Assert.Empty(tftp.Server.Shown);
    }

    [Theory]
    [InlineData(SessionKind.TftpRead, SessionState.Receiving, "read")]
    [InlineData(SessionKind.TftpRead, SessionState.Done, "sent")]
    [InlineData(SessionKind.TftpRead, SessionState.Failed, "failed")]
    [InlineData(SessionKind.TftpWrite, SessionState.Receiving, "write")]
    [InlineData(SessionKind.TftpWrite, SessionState.Done, "stored")]
    [InlineData(SessionKind.TftpWrite, SessionState.Failed, "failed")]
    [InlineData(SessionKind.Udpx, SessionState.Receiving, "recv")]
    [InlineData(SessionKind.Udpx, SessionState.Done, "done")]
    public void The_state_column_says_which_way_a_tftp_transfer_went(object kind, object state, string shown) =>
        Assert.Equal(shown, new SessionRow(1, "p", "f", 0, 0, 0, 0, 0, 0, (SessionState)state, string.Empty, (SessionKind)kind).StateText);

    private static void WaitUntil(Func<bool> done)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!done() && DateTime.UtcNow < until)
        {
            Thread.Sleep(10);
        }
        Assert.True(done());
    }

    private static SessionRow WaitForRow(ServerViewModel model, Func<SessionRow, bool> ready)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        long now = 0;
        while (DateTime.UtcNow < until)
        {
            model.Update(now += 100_000);
            if (model.Sessions.Rows.Count == 1 && ready(model.Sessions.Rows[0]))
            {
                return model.Sessions.Rows[0];
            }
            Thread.Sleep(10);
        }
        throw new TimeoutException("no such TFTP row: " + string.Join(", ", model.Sessions.Rows));
    }
}
