using Udpx.Client;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;
using Udpx.Tftp;

namespace Udpx.Tests.Integration;

/// <summary>
/// A FIFO, a device or a socket where a file to read is expected: refused at once in words, never opened to
/// block (a FIFO's open waits for a writer for ever) or read without end (/dev/zero), never sent as an empty
/// file (/dev/null). Each place that opens a file it was named: send's check, the engine every mode and worker
/// reads with, the TFTP client's send, the key file and the TFTP server's reads.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SpecialFileTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private readonly TempFolder _folder = new();

    [Fact]
    public void A_fifo_named_to_send_is_refused_at_once_with_exit_code_3()
    {
        string fifo = MakeFifo("fifo1");

        var error = Assert.Throws<UserError>(() => WithoutBlocking(fifo, () => LocalSource.Open(fifo)));

        Assert.Equal(ExitCodes.InputError, error.ExitCode);
        Assert.Equal("not a regular file: " + fifo + " (FIFO)", error.Message);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    public void A_device_named_to_send_is_refused_not_sent_as_an_empty_file(string device)
    {
        var error = Assert.Throws<UserError>(() => LocalSource.Open(device));

        Assert.Equal(ExitCodes.InputError, error.ExitCode);
        Assert.Equal("not a regular file: " + device + " (character device)", error.Message);
    }

    [Fact]
    public void A_symlink_to_a_fifo_is_refused_as_the_fifo()
    {
        string link = _folder.File("link");
        File.CreateSymbolicLink(link, MakeFifo("behind"));

        var error = Assert.Throws<UserError>(() => WithoutBlocking(link, () => LocalSource.Open(link)));

        Assert.Equal("not a regular file: " + link + " (FIFO)", error.Message);
    }

    [Fact]
    public void The_engine_refuses_a_fifo_in_place_of_the_file_it_was_given()
    {
        // What a file replaced after send's check, or a worker process given the path, meets.
        string fifo = MakeFifo("swapped");

        var error = Assert.Throws<IOException>(() => WithoutBlocking(fifo, () => new FileChunkSource(fifo)));

        Assert.Equal("not a regular file: " + fifo + " (FIFO)", error.Message);
    }

    [Fact]
    public void The_open_itself_does_not_wait_for_a_writer()
    {
        // The look before opening is skipped, as when a FIFO takes the file's place between the look and the open.
        string fifo = MakeFifo("race");

        var error = Assert.Throws<IOException>(() => WithoutBlocking(fifo, () => RegularFile.OpenChecked(fifo)));

        Assert.Equal("not a regular file: " + fifo + " (FIFO)", error.Message);
    }

    [Fact]
    public void A_regular_file_opens_and_reads_as_before()
    {
        string path = _folder.Write("plain.bin", [1, 2, 3, 4, 5]);

        using var handle = RegularFile.OpenRead(path);
        var buffer = new byte[8];

        Assert.Equal(5, RandomAccess.GetLength(handle));
        Assert.Equal(5, RandomAccess.Read(handle, buffer, 0));
        Assert.Equal(2, RandomAccess.Read(handle, buffer.AsSpan(0, 2), 3));
        Assert.Equal([4, 5], buffer[..2]);
        Assert.Throws<FileNotFoundException>(() => RegularFile.OpenRead(_folder.File("missing")));
    }

    [Fact]
    public void The_tftp_client_fails_the_transfer_of_a_fifo_without_sending()
    {
        string fifo = MakeFifo("tftp-fifo");
        var job = new TransferJob(1, fifo, "tftp-fifo", "127.0.0.1:1", new TransferSettings { Tftp = new TftpTransferSettings(Read: false, 512, 1) });

        var result = WithoutBlocking(fifo, () => TftpClient.Run(job, new TransferCounters(), CancellationToken.None));

        Assert.False(result.Verified);
        Assert.Equal("not a regular file: " + fifo + " (FIFO)", result.Error);
    }

    [Fact]
    public void A_fifo_as_the_key_file_is_a_clear_error()
    {
        string fifo = MakeFifo("key");

        var error = Assert.Throws<ArgumentException>(() => WithoutBlocking(fifo, () => PreSharedKey.Load(fifo)));

        Assert.Equal("cannot read key file '" + fifo + "': not a regular file: " + fifo + " (FIFO)", error.Message);
    }

    [Fact]
    public void The_tftp_server_refuses_to_serve_a_fifo_in_its_share()
    {
        string share = Directory.CreateDirectory(_folder.File("share")).FullName;
        string fifo = MakeFifo(Path.Combine("share", "boot.img"));
        var folder = new TftpFolder(share, new DirectoryFileStore(share));

        var refusal = WithoutBlocking(fifo, () => folder.TryOpenRead("boot.img", out _, out _));

        Assert.NotNull(refusal);
        Assert.Equal(TftpError.FileNotFound, refusal.Value.Code);
        Assert.Equal("file not found (not a regular file)", refusal.Value.Message);
    }

    [Fact]
    public async Task Send_of_a_fifo_or_dev_zero_exits_3_with_one_line_and_stores_nothing()
    {
        string fifo = MakeFifo("fifo2");

        foreach (string path in new[] { fifo, "/dev/zero" })
        {
            var (code, _, err) = await UdpxProcess.RunAsync(Limit, "send", path, "--to", "127.0.0.1:1", "--headless");

            Assert.Equal(ExitCodes.InputError, code);
            Assert.Equal("udpx: not a regular file: " + path + " (" + (path == fifo ? "FIFO" : "character device") + ")", err.Trim());
        }
    }

    public void Dispose() => _folder.Dispose();

    private string MakeFifo(string name)
    {
        string path = _folder.File(name);
        var (exit, output) = SystemCommand.Run("mkfifo", [path]);
        Assert.True(exit == 0, "mkfifo: " + output);
        return path;
    }

    /// <summary>
    /// Runs <paramref name="open"/> on a thread of its own; if it is still blocked after <see cref="Limit"/>, a
    /// writer opens <paramref name="fifo"/> to let it go, and the test fails.
    /// </summary>
    private static T WithoutBlocking<T>(string fifo, Func<T> open)
    {
        var task = Task.Factory.StartNew(open, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(Limit))
        {
            SystemCommand.Run("sh", ["-c", ": > \"$1\"", "sh", fifo]);
            Assert.Fail("opening " + fifo + " blocked for " + Limit.TotalSeconds + " s");
        }
        return task.GetAwaiter().GetResult();
    }
}
