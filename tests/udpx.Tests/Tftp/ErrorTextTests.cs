using System.Buffers.Binary;
using System.Net;
using Udpx.Tftp;
using static Udpx.Tests.Tftp.TftpWire;

namespace Udpx.Tests.Tftp;

/// <summary>
/// What udpx's TFTP side says when a file fails under it: a fixed short text to the peer and in the
/// server's log, never an exception's message, which names the file's absolute path.
/// </summary>
public sealed class ErrorTextTests
{
    private const string SecretPath = "/srv/secret/tftp/f.txt";

    [Fact]
    public void A_read_error_is_told_to_the_peer_without_the_files_path()
    {
        var sender = new TftpBlockSender(new UnreadableStream(), new TftpTransferOptions(), 5);
        var buffer = new byte[600];

        int length = sender.TryWrite(buffer, 0);

        Assert.Equal(TftpTransferState.Failed, sender.State);
        Assert.DoesNotContain(SecretPath, sender.Failure, StringComparison.Ordinal);
        Assert.Equal((ushort)TftpOpcode.Error, BinaryPrimitives.ReadUInt16BigEndian(buffer));
        Assert.True(TftpCodec.TryReadError(buffer.AsSpan(0, length), out _, out string message));
        Assert.DoesNotContain(SecretPath, message, StringComparison.Ordinal);
    }

    /// <summary>A netascii read with tsize is measured before its first block: a read error there gets an ERROR too, not silence until the client gives up.</summary>
    [Fact]
    public void A_read_that_fails_before_its_first_block_gets_an_error_naming_no_path()
    {
        var observer = new RecordingTftpObserver();
        using var server = TftpServer.Start(new IPEndPoint(IPAddress.Loopback, 0), new TftpServerOptions(), new BrokenFiles(throwOnOpen: false), observer);
        using var socket = OpenClient();
        socket.SendTo([0, 1, .. "f.txt"u8, 0, .. "netascii"u8, 0, .. "tsize"u8, 0, .. "0"u8, 0], new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port));

        var reply = Receive(socket, out _);

        Assert.True(IsError(reply, out _, out string message));
        Assert.DoesNotContain(SecretPath, message, StringComparison.Ordinal);
        Assert.DoesNotContain(observer.Refusals, r => r.Contains(SecretPath, StringComparison.Ordinal));
    }

    [Fact]
    public void A_transfer_ended_by_an_exception_is_logged_without_its_message()
    {
        var observer = new RecordingTftpObserver();
        using var server = TftpServer.Start(new IPEndPoint(IPAddress.Loopback, 0), new TftpServerOptions(), new BrokenFiles(throwOnOpen: true), observer);
        using var socket = OpenClient();
        socket.SendTo([0, 1, .. "f.txt"u8, 0, .. "octet"u8, 0], new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port));

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (observer.Refusals.IsEmpty)
        {
            Assert.True(DateTime.UtcNow < until, "nothing was logged");
            Thread.Sleep(10);
        }

        Assert.Equal(1, server.Stats.Failed);
        Assert.DoesNotContain(observer.Refusals, r => r.Contains(SecretPath, StringComparison.Ordinal));
    }

    private static IOException Eio() => new("Input/output error : '" + SecretPath + "'", 5);

    /// <summary>A share whose one file cannot be read, or whose open throws outright.</summary>
    private sealed class BrokenFiles(bool throwOnOpen) : ITftpFiles
    {
        public TftpRefusal? TryOpenRead(string name, out Stream? stream, out long length)
        {
            if (throwOnOpen)
            {
                throw Eio();
            }
            stream = new UnreadableStream();
            length = 100;
            return null;
        }

        public TftpRefusal? TryCreate(string name, long? size, out ITftpIncomingFile? file)
        {
            file = null;
            return new TftpRefusal(TftpError.AccessViolation, "no writes here");
        }
    }

    private sealed class UnreadableStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => 100;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count) => throw Eio();

        public override int Read(Span<byte> buffer) => throw Eio();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
