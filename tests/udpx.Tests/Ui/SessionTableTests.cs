using Udpx.Server;
using Udpx.Ui.Models;

namespace Udpx.Tests.Ui;

public sealed class SessionTableTests
{
    private static SessionSnapshot Session(ulong id, string peer, string name, long size, long received, SessionState state, long started = 0, long finished = 0, long dup = 0, long bad = 0) =>
        new(id, peer, name, size, received, received / 1444, dup, bad, state, started, finished, string.Empty);

    [Fact]
    public void Rows_carry_progress_rate_drops_and_state_with_active_sessions_first_newest_first()
    {
        var table = new SessionTable();
        SessionSnapshot[] sessions =
        [
            Session(1, "10.0.0.1:1000", "old-done.bin", 1000, 1000, SessionState.Done, started: 0, finished: 2_000_000),
            Session(2, "10.0.0.2:2000", "a.bin", 4000, 1000, SessionState.Receiving, started: 100, dup: 3, bad: 1),
            Session(3, "10.0.0.3:3000", "b.bin", 4000, 0, SessionState.Receiving, started: 200),
            Session(4, "10.0.0.4:4000", "bad.bin", 4000, 4000, SessionState.Failed, started: 300, finished: 400),
        ];

        table.Update(0, sessions);
        sessions[1] = sessions[1] with { BytesReceived = 3000 };
        table.Update(1_000_000, sessions);

        Assert.Equal([3ul, 2, 4, 1], table.Rows.Select(r => r.Id));
        var a = table.Rows[1];
        Assert.Equal(75, a.Percent);
        Assert.Equal(2000, a.BytesPerSecond, 3);
        Assert.Equal(3, a.Duplicates);
        Assert.Equal(1, a.Corrupt);
        Assert.Equal("recv", a.StateText);
        var done = table.Rows[3];
        Assert.Equal(100, done.Percent);
        Assert.Equal(500, done.BytesPerSecond, 3);
        Assert.Equal("done", done.StateText);
        Assert.Equal("failed", table.Rows[2].StateText);
        Assert.Equal(2, table.Active);

        var lines = table.Lines(78);
        Assert.Equal(5, lines.Count);
        Assert.All(lines, l => Assert.Equal(78, l.Length));
        Assert.Matches(@"^client\s+file\s+received\s+%\s+rate\s+dup\s+bad\s+state\s*$", lines[0]);
        Assert.Matches(@"^10\.0\.0\.2:2000\s+a\.bin\s+2\.93 KiB\s+75\s+2\.00 kB/s\s+3\s+1 recv\s*$", lines[2]);
    }

    [Fact]
    public void An_empty_server_says_it_waits_and_the_compact_form_fits_a_half_screen_pane()
    {
        var table = new SessionTable();
        table.Update(0, []);
        Assert.Equal("no sessions yet: waiting for clients", table.Lines(78)[1]);

        table.Update(0, [Session(9, "[2001:db8::1]:40000", "a-rather-long-file-name.iso", 100, 50, SessionState.Verifying)]);
        var compact = table.CompactLines(38);
        Assert.All(compact, l => Assert.Equal(38, l.Length));
        Assert.Matches(@"^a-rather-l…\s+50\s+0 B/s\s+0 verify$", compact[1]);
    }
}
