using System.Net;
using System.Text;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Hostile names against a running server on loopback, sent raw (bypassing every check of the real
/// client) and through the real client: each is refused with its reason, and nothing is ever written
/// outside --out. Symlinks planted in the output folder are left alone (the name is taken), or replaced
/// with --overwrite; never written through.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ServerHost _host;
    private readonly bool _etcXExisted = File.Exists("/etc/x");
    private readonly bool _tmpXExisted = File.Exists("/tmp/x");

    public HostileInputTests()
    {
        Directory.CreateDirectory(_folder.File("source"));
        Directory.CreateDirectory(_folder.File("outside"));
        _host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("out"), new ServerOptions());
    }

    private string Out => _host.Store.Directory;

    private string Server => _host.EndPoint.ToString();

    public static TheoryData<string> HostileNames => new()
    {
        "../x",
        "/etc/x",
        "..\\x",
        "../../../../../../tmp/x",
        "sub//x",
        "sub/",
        "sub/../x",
        "sub/./x",
        "sub/.hidden",
        ".ssh/authorized_keys",
        "a\\b/x",
        "sub/\0x",
        "sub/.udpx-part/x",
        "a\0b",
        "x\0",
        "tab\tx",
        "line\nx",
        "esc\u001b[2Jx",
        "del\u007fx",
        "c1\u0085x",
        "..",
        ".",
        string.Empty,
        ".udpx-0000000000000001-x.udpx-part",
        "x.udpx-part",
        ".bashrc",
        ".hidden",
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void A_raw_offer_with_a_hostile_name_is_refused_with_the_reason(string name)
    {
        using var raw = new RawClient(_host.EndPoint);
        var reject = raw.OfferExpectingReject(0x51, 1000, Encoding.UTF8.GetBytes(name));
        Assert.Equal(RejectReason.NameRejected, reject.Reason);
        Assert.StartsWith("name rejected: ", reject.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public void A_raw_offer_through_a_symlinked_folder_on_the_server_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(Out, "evil"), _folder.File("outside"));
        using var raw = new RawClient(_host.EndPoint);
        var reject = raw.OfferExpectingReject(0x54, 1000, "evil/x"u8);
        Assert.Equal(RejectReason.NameRejected, reject.Reason);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.File("outside")));
    }

    [Theory]
    [InlineData(256, "name longer than 255 bytes")]
    [InlineData(4096, "path longer than 400 bytes")]
    public void A_raw_offer_with_an_overlong_name_is_refused(int length, string why)
    {
        using var raw = new RawClient(_host.EndPoint);
        byte[] name = Enumerable.Repeat((byte)'a', length).ToArray();
        var reject = raw.OfferExpectingReject(0x52, 1000, name);
        Assert.Equal(RejectReason.NameRejected, reject.Reason);
        Assert.Equal("name rejected: " + why, reject.Message);
        AssertNothingWritten();
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xfe, (byte)'x' })]
    [InlineData(new byte[] { (byte)'a', 0xc3, 0x28 })]
    [InlineData(new byte[] { 0xed, 0xa0, 0x80 })] // an encoded UTF-16 surrogate
    [InlineData(new byte[] { 0xc0, 0xaf, (byte)'x' })] // an overlong encoding of '/'
    public void A_raw_offer_whose_name_is_not_utf8_is_refused(byte[] name)
    {
        using var raw = new RawClient(_host.EndPoint);
        var reject = raw.OfferExpectingReject(0x53, 1000, name);
        Assert.Equal(RejectReason.NameRejected, reject.Reason);
        Assert.Equal("name rejected: not valid UTF-8", reject.Message);
        AssertNothingWritten();
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/x")]
    [InlineData("..\\x")]
    [InlineData("a\0b")]
    [InlineData("esc\u001b[2Jx")]
    public async Task The_real_client_sending_a_hostile_name_gets_the_reason(string name)
    {
        string source = _folder.Write(Path.Combine("source", "payload.bin"), Simulation.RandomFile(5000, 1));
        var result = await TestClient.SendAsync(source, name, Server);
        Assert.False(result.Verified);
        Assert.Contains("name rejected: ", result.Error, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task A_symlink_to_a_file_outside_is_left_alone_without_overwrite_and_replaced_with_it_never_written_through()
    {
        string target = _folder.Write(Path.Combine("outside", "target.txt"), "keep me"u8.ToArray());
        File.CreateSymbolicLink(Path.Combine(Out, "link.bin"), target);
        byte[] bytes = Simulation.RandomFile(100_000, 2);
        string source = _folder.Write(Path.Combine("source", "link.bin"), bytes);

        var refused = await TestClient.SendAsync(source, "link.bin", Server);

        Assert.False(refused.Verified);
        Assert.Contains(RejectReasonText.Describe(RejectReason.Exists), refused.Error, StringComparison.Ordinal);
        Assert.Equal(target, new FileInfo(Path.Combine(Out, "link.bin")).LinkTarget);
        Assert.Equal("keep me"u8.ToArray(), File.ReadAllBytes(target));

        using var replacing = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), Out, new ServerOptions { Overwrite = true });
        var result = await TestClient.SendAsync(source, "link.bin", replacing.EndPoint.ToString());

        Assert.True(result.Verified, result.Error);
        Assert.Equal("keep me"u8.ToArray(), File.ReadAllBytes(target));
        var stored = new FileInfo(Path.Combine(Out, "link.bin"));
        Assert.Null(stored.LinkTarget);
        Assert.Equal(bytes, File.ReadAllBytes(stored.FullName));
        Assert.Single(Directory.EnumerateFileSystemEntries(_folder.File("outside")));
    }

    [Fact]
    public async Task A_dangling_symlink_pointing_outside_never_creates_its_target()
    {
        string target = _folder.File(Path.Combine("outside", "created.txt"));
        File.CreateSymbolicLink(Path.Combine(Out, "dangling.bin"), target);
        byte[] bytes = Simulation.RandomFile(50_000, 3);
        string source = _folder.Write(Path.Combine("source", "dangling.bin"), bytes);

        var refused = await TestClient.SendAsync(source, "dangling.bin", Server);

        Assert.False(refused.Verified);
        Assert.Contains(RejectReasonText.Describe(RejectReason.Exists), refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Equal(target, new FileInfo(Path.Combine(Out, "dangling.bin")).LinkTarget);

        using var replacing = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), Out, new ServerOptions { Overwrite = true });
        var result = await TestClient.SendAsync(source, "dangling.bin", replacing.EndPoint.ToString());

        Assert.True(result.Verified, result.Error);
        Assert.False(File.Exists(target));
        Assert.Null(new FileInfo(Path.Combine(Out, "dangling.bin")).LinkTarget);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(Out, "dangling.bin")));
    }

    [Fact]
    public async Task A_symlink_to_a_folder_outside_gets_nothing_written_into_that_folder()
    {
        string outside = _folder.File("outside");
        File.CreateSymbolicLink(Path.Combine(Out, "dir"), outside);
        string source = _folder.Write(Path.Combine("source", "dir"), Simulation.RandomFile(20_000, 4));

        var result = await TestClient.SendAsync(source, "dir", Server);

        // Refused (the name is a folder) or stored in place of the link: never inside the folder it points to.
        Assert.True(result.Verified || result.Error.Contains("name rejected", StringComparison.Ordinal), result.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Empty(Directory.EnumerateFiles(Out, ".udpx-*"));
    }

    /// <summary>The output folder and everything around it are as they were: no file, no temporary file.</summary>
    private void AssertNothingWritten()
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(Out));
        Assert.Equal(["out", "outside", "source"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.File("outside")));
        Assert.Equal(_etcXExisted, File.Exists("/etc/x"));
        Assert.Equal(_tmpXExisted, File.Exists("/tmp/x"));
        Assert.Equal(0, _host.Protocol.Stats.InternalErrors);
    }

    public void Dispose()
    {
        _host.Dispose();
        _folder.Dispose();
    }
}
