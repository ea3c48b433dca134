using Udpx.Common;
using Udpx.Protocol;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>`udpx keygen FILE`, the real binary: 32 random bytes, owner-only, never an existing file without --force.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeygenTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Keygen_writes_32_random_bytes_readable_by_the_owner_only_and_the_key_loads()
    {
        string path = _folder.File("udpx.key");

        var (exit, stdout, stderr) = await UdpxProcess.RunAsync(Patience, "keygen", path);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(stderr);
        Assert.Contains("wrote 32 random bytes to " + path, stdout, StringComparison.Ordinal);
        byte[] key = File.ReadAllBytes(path);
        Assert.Equal(32, key.Length);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.NotNull(PreSharedKey.Load(path));

        var second = await UdpxProcess.RunAsync(Patience, "keygen", _folder.File("other.key"));
        Assert.Equal(ExitCodes.Ok, second.ExitCode);
        Assert.NotEqual(key, File.ReadAllBytes(_folder.File("other.key")));
    }

    [Fact]
    public async Task Keygen_keeps_an_existing_file_or_symlink_unless_forced()
    {
        string path = _folder.Write("udpx.key", "the old key, keep it"u8.ToArray());
        string target = _folder.Write("target", "not a key"u8.ToArray());
        string link = _folder.File("link.key");
        File.CreateSymbolicLink(link, target);

        var refused = await UdpxProcess.RunAsync(Patience, "keygen", path);
        var refusedLink = await UdpxProcess.RunAsync(Patience, "keygen", link);

        Assert.Equal(ExitCodes.InputError, refused.ExitCode);
        Assert.Equal("udpx keygen: '" + path + "' already exists; give --force to replace it (both ends then need the new key)", refused.Err.TrimEnd('\n'));
        Assert.Equal("the old key, keep it"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(ExitCodes.InputError, refusedLink.ExitCode);
        Assert.Equal("not a key"u8.ToArray(), File.ReadAllBytes(target));

        var forced = await UdpxProcess.RunAsync(Patience, "keygen", path, "--force");
        var forcedLink = await UdpxProcess.RunAsync(Patience, "keygen", link, "--force");

        Assert.Equal(ExitCodes.Ok, forced.ExitCode);
        Assert.Equal(32, File.ReadAllBytes(path).Length);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        // The link is replaced by a key file; what it pointed to is untouched.
        Assert.Equal(ExitCodes.Ok, forcedLink.ExitCode);
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal("not a key"u8.ToArray(), File.ReadAllBytes(target));
        Assert.Equal(["link.key", "target", "udpx.key"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_short_key_file_is_refused_with_advice_on_one_line()
    {
        string key = _folder.Write("short.key", "too-short\n"u8.ToArray());
        string file = _folder.Write("f.bin", [1, 2, 3]);

        var (exit, _, stderr) = await UdpxProcess.RunAsync(Patience, "send", file, "--to", "127.0.0.1:9", "--key-file", key, "--headless");

        Assert.Equal(ExitCodes.InputError, exit);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("holds 9 bytes of key, fewer than 16; run `udpx keygen FILE`", line, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
