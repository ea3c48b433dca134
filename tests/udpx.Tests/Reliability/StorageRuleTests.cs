using System.Net;
using System.Text;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// The server's storage rules, after tftp-hpa: nothing already under a name is replaced without
/// --overwrite (at the offer, and race-free at the commit), hidden names need --allow-hidden, stored files
/// are 0644 under the umask and 0600 when they came encrypted, and a temporary file is never readable by
/// others.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StorageRuleTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly TempFolder _folder = new();

    private string Out => _folder.File("out");

    private DirectoryFileStore Store(bool overwrite = false, bool allowHidden = false)
    {
        var store = new DirectoryFileStore(Out, overwrite: overwrite, allowHidden: allowHidden);
        store.EnsureWritable();
        return store;
    }

    private static UInt128 Digest => 42;

    [Theory]
    [InlineData("file")]
    [InlineData("symlink")]
    [InlineData("dangling symlink")]
    public void An_offer_for_a_taken_name_is_refused_and_what_is_there_stays(string kind)
    {
        var store = Store();
        string path = Path.Combine(Out, "taken.bin");
        string target = _folder.Write("target", "keep me"u8.ToArray());
        switch (kind)
        {
            case "file":
                File.WriteAllBytes(path, "keep me"u8.ToArray());
                break;
            case "symlink":
                File.CreateSymbolicLink(path, target);
                break;
            default:
                File.CreateSymbolicLink(path, _folder.File("nowhere"));
                break;
        }

        Assert.Equal(RejectReason.Exists, store.TryCreate("taken.bin", 10, 1, out var file));

        Assert.Null(file);
        Assert.Equal("keep me"u8.ToArray(), File.ReadAllBytes(target));
        Assert.Equal(kind switch { "file" => null, "symlink" => target, _ => _folder.File("nowhere") }, new FileInfo(path).LinkTarget);
        Assert.False(File.Exists(_folder.File("nowhere")));
        Assert.Equal(["taken.bin"], Directory.EnumerateFileSystemEntries(Out).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_file_that_appears_under_the_name_during_the_transfer_is_not_replaced()
    {
        var store = Store();
        Assert.Equal(RejectReason.None, store.TryCreate("late.bin", 4, 1, out var file));
        Assert.Equal(RejectReason.None, await file!.PrepareAsync(CancellationToken.None));
        file.Write(0, "new!"u8);
        File.WriteAllBytes(Path.Combine(Out, "late.bin"), "theirs"u8.ToArray());

        var result = await file.CommitAsync(Digest, Digest, CancellationToken.None);

        Assert.Equal(RejectReason.Exists, result);
        Assert.Equal("theirs"u8.ToArray(), File.ReadAllBytes(Path.Combine(Out, "late.bin")));
        Assert.Equal(["late.bin"], Directory.EnumerateFileSystemEntries(Out).Select(Path.GetFileName));
        // The name is free again: a retry is refused at its offer, as the name is taken.
        Assert.Equal(RejectReason.Exists, store.TryCreate("late.bin", 4, 2, out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_folder_on_the_path_swapped_for_a_symlink_during_the_transfer_is_never_followed(bool overwrite)
    {
        var store = Store(overwrite);
        string outside = _folder.File("outside");
        Directory.CreateDirectory(outside);
        Assert.Equal(RejectReason.None, store.TryCreate("later/deeper/x.bin", 4, 1, out var file));
        Assert.Equal(RejectReason.None, await file!.PrepareAsync(CancellationToken.None));
        file.Write(0, "new!"u8);
        Directory.CreateSymbolicLink(Path.Combine(Out, "later"), outside);

        var result = await file.CommitAsync(Digest, Digest, CancellationToken.None);

        Assert.Equal(RejectReason.NameRejected, result);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal(["later"], Directory.EnumerateFileSystemEntries(Out).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_verified_file_in_subfolders_is_stored_with_its_folders_made()
    {
        var store = Store();
        Assert.Equal(RejectReason.None, store.TryCreate("one/two/x.bin", 4, 1, out var file));
        Assert.Equal(RejectReason.None, await file!.PrepareAsync(CancellationToken.None));
        file.Write(0, "new!"u8);

        Assert.Equal(RejectReason.None, await file.CommitAsync(Digest, Digest, CancellationToken.None));

        Assert.Equal("new!"u8.ToArray(), File.ReadAllBytes(Path.Combine(Out, "one", "two", "x.bin")));
        Assert.Equal(["one"], Directory.EnumerateFileSystemEntries(Out).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_folder_planted_at_the_partial_file_name_is_discarded_and_the_file_received_whole()
    {
        var store = Store();
        Directory.CreateDirectory(store.TempPathOf("x.bin"));
        Assert.Equal(RejectReason.None, store.TryCreate("x.bin", 4, 1, out var file));

        Assert.Equal(RejectReason.None, await file!.PrepareAsync(CancellationToken.None));
        file.Write(0, "new!"u8);
        Assert.Equal(RejectReason.None, await file.CommitAsync(Digest, Digest, CancellationToken.None));

        Assert.Equal("new!"u8.ToArray(), File.ReadAllBytes(Path.Combine(Out, "x.bin")));
        Assert.False(Directory.Exists(store.TempPathOf("x.bin")));
    }

    [Fact]
    public async Task A_folder_with_files_at_the_partial_file_name_is_left_and_the_refusal_says_why()
    {
        var store = Store();
        string planted = Directory.CreateDirectory(store.TempPathOf("x.bin")).FullName;
        File.WriteAllText(Path.Combine(planted, "keep"), "k");
        Assert.Equal(RejectReason.None, store.TryCreate("x.bin", 4, 1, out var file));

        Assert.Equal(RejectReason.IoError, await file!.PrepareAsync(CancellationToken.None));

        Assert.Contains("a folder with files in it holds the partial file's name " + Path.GetFileName(planted), file.FailureDetail, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(planted, "keep")));
    }

    [Fact]
    public async Task With_overwrite_a_file_and_a_symlink_under_the_name_are_replaced()
    {
        var store = Store(overwrite: true);
        string target = _folder.Write("target", "keep me"u8.ToArray());
        File.WriteAllBytes(Path.Combine(Out, "a.bin"), "old"u8.ToArray());
        File.CreateSymbolicLink(Path.Combine(Out, "b.bin"), target);
        foreach (string name in (string[])["a.bin", "b.bin"])
        {
            Assert.Equal(RejectReason.None, store.TryCreate(name, 3, 1, out var file));
            Assert.Equal(RejectReason.None, await file!.PrepareAsync(CancellationToken.None));
            file.Write(0, "new"u8);
            Assert.Equal(RejectReason.None, await file.CommitAsync(Digest, Digest, CancellationToken.None));
            Assert.Equal("new"u8.ToArray(), File.ReadAllBytes(Path.Combine(Out, name)));
            Assert.Null(new FileInfo(Path.Combine(Out, name)).LinkTarget);
        }
        Assert.Equal("keep me"u8.ToArray(), File.ReadAllBytes(target));
    }

    [Theory]
    [InlineData(".bashrc")]
    [InlineData(".ssh")]
    [InlineData(".x")]
    [InlineData("...")]
    public void A_hidden_name_is_refused_unless_allowed(string name)
    {
        Assert.False(FileNamePolicy.IsAcceptable(name, allowHidden: false, out string why));
        Assert.Contains("--allow-hidden", why, StringComparison.Ordinal);
        Assert.Equal(RejectReason.NameRejected, Store().TryCreate(name, 1, 1, out _));
        Assert.True(FileNamePolicy.IsAcceptable(name, allowHidden: true, out _));
        Assert.Equal(RejectReason.None, Store(allowHidden: true).TryCreate(name, 1, 2, out var file));
        file!.Discard();
        Assert.True(FileNamePolicy.IsAcceptable("not.hidden", allowHidden: false, out _));
    }

    [Fact]
    public void A_hidden_name_offered_to_a_running_server_is_refused_with_the_reason()
    {
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), Out, new ServerOptions());
        using var raw = new RawClient(host.EndPoint);
        var reject = raw.OfferExpectingReject(0x81, 100, Encoding.UTF8.GetBytes(".bashrc"));
        Assert.Equal(RejectReason.NameRejected, reject.Reason);
        Assert.Equal("name rejected: hidden name (starts with \".\"); the server accepts such names only with --allow-hidden", reject.Message);
    }

    [Fact]
    public void An_offer_for_a_taken_name_to_a_running_server_is_refused_as_exists()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllBytes(Path.Combine(Out, "taken.bin"), "keep"u8.ToArray());
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), Out, new ServerOptions());
        using var raw = new RawClient(host.EndPoint);
        var reject = raw.OfferExpectingReject(0x82, 100, "taken.bin"u8);
        Assert.Equal(RejectReason.Exists, reject.Reason);
        Assert.Equal(RejectReasonText.Describe(RejectReason.Exists), reject.Message);
        Assert.Equal("keep"u8.ToArray(), File.ReadAllBytes(Path.Combine(Out, "taken.bin")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stored_file_is_0644_under_the_umask_or_0600_when_it_came_encrypted(bool encrypted)
    {
        var store = Store();
        Assert.Equal(RejectReason.None, store.TryCreate("mode.bin", 6, 1, out var file));
        Assert.Equal(RejectReason.None, await file!.PrepareAsync(CancellationToken.None));
        string temp = Assert.Single(Directory.EnumerateFiles(Out, ".udpx-*.udpx-part"));
        // Private from the first byte, whatever the transfer turns out to be.
        Assert.Equal(Private, File.GetUnixFileMode(temp) & (Private | GroupOrOther));
        file.Write(0, "secret"u8);
        if (encrypted)
        {
            file.MarkEncrypted();
        }

        Assert.Equal(RejectReason.None, await file.CommitAsync(Digest, Digest, CancellationToken.None));

        var mode = File.GetUnixFileMode(Path.Combine(Out, "mode.bin"));
        Assert.Equal(encrypted ? Private : (Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead) & ~Umask(), mode);
        Assert.Equal(["mode.bin"], Directory.EnumerateFileSystemEntries(Out).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_encrypted_transfer_through_a_keyed_server_is_stored_0600()
    {
        var key = PreSharedKey.FromBytes(Encoding.ASCII.GetBytes("a-key-of-sixteen-bytes-or-more"));
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), Out, new ServerOptions { Key = key });
        byte[] bytes = Simulation.RandomFile(200_000, 5);
        string plain = _folder.Write("plain.bin", bytes);
        string secret = _folder.Write("secret.bin", bytes);
        var settings = new Udpx.Engine.TransferSettings { Key = key };

        Assert.True((await TestClient.SendAsync(plain, "plain.bin", host.EndPoint.ToString(), settings)).Verified);
        Assert.True((await TestClient.SendAsync(secret, "secret.bin", host.EndPoint.ToString(), settings with { Encrypt = true })).Verified);

        Assert.Equal((Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead) & ~Umask(), File.GetUnixFileMode(Path.Combine(Out, "plain.bin")));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(Out, "secret.bin")));
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(Out, "secret.bin")));
    }

    /// <summary>The umask, read the way the store reads it: from the mode a new file gets.</summary>
    private UnixFileMode Umask()
    {
        string probe = _folder.File("umask-probe");
        File.WriteAllBytes(probe, []);
        var mode = File.GetUnixFileMode(probe);
        File.Delete(probe);
        return ~mode & (Private | GroupOrOther) & ~(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public void Dispose() => _folder.Dispose();
}
