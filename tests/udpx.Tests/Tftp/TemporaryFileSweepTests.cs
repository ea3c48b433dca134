using System.Buffers.Binary;
using System.Net;
using Udpx.Cli;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;
using Udpx.Tftp;
using static Udpx.Tests.Tftp.TftpWire;

namespace Udpx.Tests.Tftp;

/// <summary>
/// The store's sweep of stale temporary files (at start-up and every --keep-partial/4 while the server
/// runs) against the temporary files of writes in progress in the same --out: a TFTP write's and a udpx
/// transfer's stay until their transfer ends; what a crashed run left goes. The sweep is called directly,
/// so each test is the sweep firing mid-transfer, whatever its timer.
/// </summary>
public sealed class TemporaryFileSweepTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Out => _folder.Path;

    /// <summary>The case as found: with --keep-partial 0 the sweep ran every second and deleted the write's file, whose commit then failed with "cannot store the file (error 2)".</summary>
    [Fact]
    public void A_sweep_during_a_tftp_write_leaves_its_temporary_file_and_the_write_is_stored()
    {
        var store = new DirectoryFileStore(Out, keepPartial: TimeSpan.Zero);
        var folder = new TftpFolder(Out, store);
        Assert.Null(folder.TryCreate("live.bin", null, out var file));
        file!.Stream.Write(new byte[1000]);
        file.Stream.Flush();

        Assert.Equal(0, store.RemoveStaleTemporaryFiles());

        Assert.Null(file.Commit());
        Assert.Equal(1000, new FileInfo(Path.Combine(Out, "live.bin")).Length);
        Assert.Equal(["live.bin"], Directory.GetFileSystemEntries(Out).Select(Path.GetFileName));
    }

    /// <summary>Once its write has ended, nothing of it is held: a sweep after that finds nothing to keep or remove.</summary>
    [Fact]
    public void A_tftp_write_that_ended_holds_nothing_the_sweep_would_keep()
    {
        var store = new DirectoryFileStore(Out, keepPartial: TimeSpan.Zero);
        var folder = new TftpFolder(Out, store);
        Assert.Null(folder.TryCreate("gone.bin", null, out var file));
        file!.Stream.Write(new byte[10]);
        file.Discard();

        Assert.Equal(0, store.RemoveStaleTemporaryFiles());
        Assert.Empty(Directory.GetFileSystemEntries(Out));
    }

    /// <summary>A TFTP temporary file no write of this server holds is one a crashed or killed run left: the sweep removes it, at start-up and while a write of its own runs.</summary>
    [Fact]
    public void A_tftp_temporary_file_a_crashed_run_left_is_removed_by_the_sweep_and_a_live_one_beside_it_stays()
    {
        string left = Path.Combine(Out, ".udpx-tftp" + Guid.NewGuid().ToString("N") + ".udpx-part");
        File.WriteAllBytes(left, new byte[100]);
        var store = new DirectoryFileStore(Out);
        var folder = new TftpFolder(Out, store);
        Assert.Null(folder.TryCreate("live.bin", null, out var file));
        file!.Stream.Write(new byte[10]);

        Assert.Equal(1, store.RemoveStaleTemporaryFiles());

        Assert.False(File.Exists(left));
        Assert.Null(file.Commit());
        Assert.Equal(10, new FileInfo(Path.Combine(Out, "live.bin")).Length);
    }

    /// <summary>The rule the TFTP files now follow, as the udpx protocol's files had it: a name held by a transfer in progress keeps its temporary file, record or not.</summary>
    [Fact]
    public async Task A_sweep_during_a_udpx_transfer_leaves_its_temporary_file()
    {
        var store = new DirectoryFileStore(Out, keepPartial: TimeSpan.Zero);
        store.EnsureWritable();
        Assert.Equal(RejectReason.None, store.TryCreate("live.bin", 1000, 1, out var file));
        Assert.Equal(RejectReason.None, await file!.PrepareAsync(CancellationToken.None));
        file.Write(0, new byte[1000]);

        Assert.Equal(0, store.RemoveStaleTemporaryFiles());

        Assert.True(File.Exists(store.TempPathOf("live.bin")));
        Assert.Equal(RejectReason.None, await file.CommitAsync((UInt128)7, (UInt128)7, CancellationToken.None));
        Assert.Equal(1000, new FileInfo(Path.Combine(Out, "live.bin")).Length);
    }

    /// <summary>
    /// `serve --tftp --tftp-write` as ServeVerb wires it: the TFTP listener writes into the udpx server's own
    /// store, so the sweep of that store (here fired between two blocks) sees the write as live.
    /// </summary>
    [Fact]
    public void The_servers_sweep_between_two_blocks_of_a_tftp_write_over_loopback_leaves_it_whole()
    {
        var options = new ServerOptions { KeepPartial = TimeSpan.Zero, MinFree = DiskReserve.None };
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), Out, options);
        var settings = new ServeTftpOptions.Settings(new IPEndPoint(IPAddress.Loopback, 0), AllowWrite: true, Share: null);
        using var tftp = settings.Start(settings.Open(), host.Store, options, new TftpConsoleObserver(TextWriter.Null, json: false, Verbosity.Quiet));
        byte[] content = [.. Enumerable.Range(0, 700).Select(i => (byte)i)];
        using var socket = OpenClient();
        socket.SendTo(Request(TftpOpcode.WriteRequest, "w.bin"), new IPEndPoint(IPAddress.Loopback, tftp.LocalEndPoint.Port));
        Assert.Equal([0, 4, 0, 0], Receive(socket, out var tid));
        socket.SendTo([0, 3, 0, 1, .. content.AsSpan(0, 512)], tid);
        Assert.Equal([0, 4, 0, 1], Receive(socket, out _));

        host.Store.RemoveStaleTemporaryFiles();

        socket.SendTo([0, 3, 0, 2, .. content.AsSpan(512)], tid);
        var reply = Receive(socket, out _);
        Assert.False(IsError(reply, out _, out string message), message);
        Assert.Equal((ushort)TftpOpcode.Ack, BinaryPrimitives.ReadUInt16BigEndian(reply));
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Out, "w.bin")));
    }

    public void Dispose() => _folder.Dispose();
}
