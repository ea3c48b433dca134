using Udpx.Engine;
using Udpx.Modes;
using Udpx.Ui.Models;

namespace Udpx.Tests.Ui;

public sealed class SendViewModelTests
{
    internal static TransferHandle Handle(int id, string name, string server, long size)
    {
        var handle = new TransferHandle(new TransferJob(id, "/data/" + name, name, server, new TransferSettings())) { FileSize = size };
        return handle;
    }

    internal static TransferResult Result(TransferHandle h, bool verified, double seconds = 2, string error = "") => new()
    {
        JobId = h.Job.Id,
        Name = h.Job.Name,
        Server = h.Job.Server,
        Bytes = verified ? h.FileSize : 0,
        Verified = verified,
        Error = error,
        Seconds = seconds,
        DatagramsSent = 10,
        Retransmitted = 1,
        RttMicros = 500,
    };

    [Fact]
    public void Transfers_are_grouped_by_server_in_order_of_first_appearance()
    {
        TransferHandle[] handles =
        [
            Handle(1, "a.bin", "10.0.0.1:9000", 1000),
            Handle(2, "b.bin", "10.0.0.2:9000", 1000),
            Handle(3, "c.bin", "10.0.0.1:9000", 1000),
        ];

        var model = new SendViewModel(handles, ConcurrencyMode.ThreadAsync, 4, 0);

        Assert.Equal(["10.0.0.1:9000", "10.0.0.2:9000"], model.Servers.Select(g => g.Server));
        Assert.Equal(["a.bin", "c.bin"], model.Servers[0].Transfers.Select(t => t.Job.Name));
        Assert.Equal(["b.bin"], model.Servers[1].Transfers.Select(t => t.Job.Name));
    }

    [Fact]
    public void Files_from_folders_are_shown_under_a_heading_per_folder()
    {
        var top = Handle(1, "top.bin", "10.0.0.1:9000", 1000);
        var x = Handle(2, "a/x.bin", "10.0.0.1:9000", 1000);
        var z = Handle(3, "b c/d/z.bin", "10.0.0.1:9000", 1000);
        var y = Handle(4, "a/y.bin", "10.0.0.1:9000", 1000);
        var model = new SendViewModel([top, x, z, y], ConcurrencyMode.Thread, 0, 0);
        x.Complete(Result(x, verified: true));
        z.Complete(Result(z, verified: false, error: "server busy"));
        model.Update(1_000_000);

        var lines = model.Servers[0].Lines(100);

        string[] shown = [.. lines.Skip(1).Select(l => l.TrimEnd())];
        Assert.StartsWith("./  0 of 1 ok", shown[0]);
        Assert.StartsWith("  top.bin ", shown[1]);
        Assert.StartsWith("a/  1 of 2 ok", shown[2]);
        Assert.StartsWith("  y.bin ", shown[3]);
        Assert.StartsWith("  x.bin ", shown[4]);
        Assert.StartsWith("b c/d/  0 of 1 ok", shown[5]);
        Assert.StartsWith("  z.bin ", shown[6]);
        Assert.Equal("  b c/d/z.bin: server busy", shown[7]);
        Assert.Equal(8, shown.Length);
    }

    [Fact]
    public void Files_without_folders_have_no_heading()
    {
        var model = new SendViewModel([Handle(1, "a.bin", "10.0.0.1:9000", 1000), Handle(2, "b.bin", "10.0.0.1:9000", 1000)], ConcurrencyMode.Thread, 0, 0);
        model.Update(0);

        var lines = model.Servers[0].Lines(100);

        Assert.Equal(3, lines.Count);
        Assert.StartsWith("a.bin ", lines[1]);
        Assert.StartsWith("b.bin ", lines[2]);
    }

    [Fact]
    public void Rows_show_acknowledged_progress_live_rate_and_results_and_the_header_the_run()
    {
        var a = Handle(1, "a.bin", "10.0.0.1:9000", 10_000);
        var b = Handle(2, "b.bin", "10.0.0.1:9000", 10_000);
        var c = Handle(3, "c.bin", "10.0.0.1:9000", 10_000);
        var model = new SendViewModel([a, b, c], ConcurrencyMode.Process, 2, 0);
        a.Counters.SetPhase(TransferPhase.Sending);
        model.Update(0);
        a.Counters.AddSent(1472, retransmission: false);
        a.Counters.AddSent(1472, retransmission: true);
        a.Counters.AddAck(2500, 1200, 64);
        b.Complete(Result(b, verified: true, seconds: 2));
        c.Complete(Result(c, verified: false, error: "digest mismatch: the server discarded the file"));
        model.Update(1_000_000);

        var group = model.Servers[0];
        Assert.Equal(["a.bin", "b.bin", "c.bin"], group.Rows.Select(r => r.Name));
        var rowA = group.Rows[0];
        Assert.Equal(25, rowA.Percent);
        Assert.Equal(2500, rowA.BytesPerSecond, 3);
        Assert.Equal(2, rowA.DatagramsSent);
        Assert.Equal(1, rowA.Retransmitted);
        Assert.Equal(1200, rowA.RttMicros);
        Assert.Equal("send", rowA.StatusText);
        Assert.Equal(100, group.Rows[1].Percent);
        Assert.Equal(5000, group.Rows[1].BytesPerSecond, 3);
        Assert.Equal("ok", group.Rows[1].StatusText);
        Assert.Equal("failed", group.Rows[2].StatusText);
        Assert.Equal(2, group.Finished);
        Assert.Equal("10.0.0.1:9000: 2 of 3 done, 2.50 kB/s, 3 resent", group.Title());
        Assert.Equal("mode process  2 workers  elapsed 00:01  2 of 3 done  2.50 kB/s", model.Header());

        var lines = group.Lines(78);
        Assert.All(lines, l => Assert.True(l.Length <= 78));
        Assert.Matches(@"^file\s+progress\s+%\s+rate\s+sent\s+acked\s+retx\s+rtt\s+state\s*$", lines[0]);
        Assert.Matches(@"^a\.bin\s+██▌?░+\s+25\s+2\.50 kB/s\s+2\s+2\.44 KiB\s+1\s+1\.20 ms send\s*$", lines[1]);
        Assert.Equal("  c.bin: digest mismatch: the server discarded the file", lines[^1]);
    }

    [Fact]
    public void Finished_transfers_sink_below_moving_ones_and_the_clock_stops_with_the_last()
    {
        var a = Handle(1, "a.bin", "s:1", 100);
        var b = Handle(2, "b.bin", "s:1", 100);
        var model = new SendViewModel([a, b], ConcurrencyMode.Thread, 0, 0);
        a.Complete(Result(a, verified: true));
        model.Update(500_000);
        Assert.Equal(["b.bin", "a.bin"], model.Servers[0].Rows.Select(r => r.Name));
        Assert.Contains("one per transfer", model.Header(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, model.Outcome());

        b.Complete(Result(b, verified: true));
        model.Update(2_000_000);
        model.Update(9_000_000);
        Assert.True(model.AllFinished);
        Assert.Equal("all verified", model.Outcome());
        Assert.True(model.Elapsed <= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Each_server_gets_the_stream_of_its_own_transfers()
    {
        var a = Handle(1, "a.bin", "s:1", 100);
        var b = Handle(2, "b.bin", "s:2", 100);
        a.Stream.Record(10, 1, 0, 100, 128, [1]);
        b.Stream.Record(10, 2, 0, 100, 128, [2]);
        b.Stream.Record(20, 2, 1, 100, 128, [3]);
        var model = new SendViewModel([a, b], ConcurrencyMode.ThreadAsync, 1, 0);

        model.Update(0);

        Assert.Equal(["a.bin"], model.Servers[0].Stream.Entries.Select(e => e.Label));
        Assert.Equal(["b.bin", "b.bin"], model.Servers[1].Stream.Entries.Select(e => e.Label));
    }
}
