using Udpx.Server;
using Udpx.Tests.Support;
using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>
/// A TFTP write's temporary file when the disk fills (<see cref="SmallDisk"/>): whatever step fails, the
/// file is closed and deleted and the name is free again, and the peer hears a short text that names no
/// path of the server.
/// </summary>
public sealed class TftpFolderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Out => _folder.Path;

    /// <summary>The review's case: a full disk made the discard's close throw, so the file stayed and its name stayed busy until a restart.</summary>
    [Fact]
    public void A_write_stopped_by_a_full_disk_is_discarded_whole_and_its_name_is_free_again()
    {
        var disk = new SmallDisk(1000);
        var folder = new TftpFolder(Out, new DirectoryFileStore(Out), openTemporary: disk.Open);
        Assert.Null(folder.TryCreate("six.bin", null, out var file));
        file!.Stream.Write(new byte[600]);
        Assert.Throws<IOException>(() => file.Stream.Write(new byte[600]));

        file.Discard();

        Assert.True(disk.Last!.Closed);
        Assert.Empty(Directory.GetFileSystemEntries(Out));
        disk.Room = long.MaxValue;
        Assert.Null(folder.TryCreate("six.bin", null, out var again));
        again!.Stream.Write(new byte[600]);
        Assert.Null(again.Commit());
        Assert.Equal(600, new FileInfo(Path.Combine(Out, "six.bin")).Length);
    }

    [Fact]
    public void A_commit_whose_last_flush_finds_the_disk_full_closes_and_deletes_the_file_and_says_disk_full()
    {
        var disk = new SmallDisk(1000);
        var folder = new TftpFolder(Out, new DirectoryFileStore(Out), openTemporary: disk.Open);
        Assert.Null(folder.TryCreate("six.bin", null, out var file));
        file!.Stream.Write(new byte[600]);
        file.Stream.Write(new byte[450]);

        var refusal = file.Commit();

        Assert.NotNull(refusal);
        Assert.Equal(TftpError.DiskFull, refusal.Value.Code);
        Assert.Equal(TftpFolder.DiskFull, refusal.Value.Message);
        Assert.True(disk.Last!.Closed);
        Assert.Empty(Directory.GetFileSystemEntries(Out));
        file.Discard();
        Assert.Null(folder.TryCreate("six.bin", null, out var again));
        again!.Discard();
    }

    /// <summary>What the receiver sends the peer for a failed write: a fixed text, the reserve's own words for the reserve.</summary>
    [Fact]
    public void A_failed_write_is_told_to_the_peer_in_fixed_words()
    {
        var disk = new SmallDisk(1000);
        var folder = new TftpFolder(Out, new DirectoryFileStore(Out), openTemporary: disk.Open);
        Assert.Null(folder.TryCreate("six.bin", null, out var file));
        file!.Stream.Write(new byte[600]);
        var full = Assert.Throws<IOException>(() => file.Stream.Write(new byte[600]));

        Assert.Equal(new TftpRefusal(TftpError.DiskFull, TftpFolder.DiskFull), file.Failed(full));
        Assert.Equal(new TftpRefusal(TftpError.DiskFull, DiskReserveStream.NoRoom), file.Failed(new IOException(DiskReserveStream.NoRoom)));
        Assert.Equal(new TftpRefusal(TftpError.NotDefined, "cannot write the file on the server"), file.Failed(new IOException("Input/output error : '" + Out + "/x'", 5)));
        file.Discard();
    }

    public void Dispose() => _folder.Dispose();
}
