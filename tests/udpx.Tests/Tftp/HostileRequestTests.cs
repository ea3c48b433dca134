using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>Bad input to udpx's TFTP listener over real loopback sockets: refused with the right code, nothing read or written outside, the server stays up.</summary>
public sealed class HostileRequestTests
{
    [Theory]
    [InlineData("../secret")]
    [InlineData("a/../../secret")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\..\\secret")]
    [InlineData("escape/secret")]
    public void Names_that_leave_the_folder_are_refused_with_error_2(string name)
    {
        using var server = new TftpFixture();
        File.WriteAllText(Path.Combine(server.Scratch, "secret"), "outside");
        Directory.CreateSymbolicLink(Path.Combine(server.Share, "escape"), server.Scratch);
        var (code, _) = Ask(server, TftpOpcode.ReadRequest, name);
        Assert.Equal(TftpError.AccessViolation, code);
        Assert.Equal(TftpError.FileNotFound, Ask(server, TftpOpcode.ReadRequest, "missing.bin").Code);
    }

    [Fact]
    public void A_symlink_inside_the_folder_to_a_file_inside_is_served()
    {
        using var server = new TftpFixture();
        server.Shared("real.bin", [1, 2, 3]);
        File.CreateSymbolicLink(Path.Combine(server.Share, "link.bin"), Path.Combine(server.Share, "real.bin"));
        using var socket = Client();
        Send(socket, server, Request(TftpOpcode.ReadRequest, "link.bin"));
        var packet = Receive(socket, out _);
        Assert.Equal((ushort)TftpOpcode.Data, BinaryPrimitives.ReadUInt16BigEndian(packet));
        Assert.Equal([1, 2, 3], packet[4..]);
    }

    [Fact]
    public void Writes_are_refused_unless_enabled_and_never_replace_a_file()
    {
        using (var closed = new TftpFixture(allowWrite: false))
        {
            var (code, message) = Ask(closed, TftpOpcode.WriteRequest, "new.bin");
            Assert.Equal(TftpError.AccessViolation, code);
            Assert.Contains("--tftp-write", message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(closed.Out));
        }
        using var server = new TftpFixture();
        File.WriteAllText(Path.Combine(server.Out, "taken.bin"), "mine");
        Assert.Equal(TftpError.FileExists, Ask(server, TftpOpcode.WriteRequest, "taken.bin").Code);
        Assert.Equal(TftpError.AccessViolation, Ask(server, TftpOpcode.WriteRequest, "../up.bin").Code);
        Assert.Equal(TftpError.AccessViolation, Ask(server, TftpOpcode.WriteRequest, ".bashrc").Code);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(server.Out, "taken.bin")));
        Assert.False(File.Exists(Path.Combine(server.Scratch, "up.bin")));
    }

    [Fact]
    public void Malformed_requests_and_unknown_opcodes_get_error_4_no_larger_than_they_were_and_the_server_stays_up()
    {
        using var server = new TftpFixture();
        server.Shared("ok.bin", [9]);
        using var socket = Client();
        byte[][] bad =
        [
            [0, 9, 1, 2, 3, 4, 5, 6],
            [0, 1, (byte)'a', 0, (byte)'o', (byte)'c'],
            [0, 1, (byte)'a', 0, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0],
            [0, 1, 0xFF, 0xFE, 0, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0],
            [0, 3, 0, 1, 1, 2, 3],
            Request(TftpOpcode.ReadRequest, new string('a', 600)),
        ];
        foreach (byte[] packet in bad)
        {
            Send(socket, server, packet);
            var reply = Receive(socket, out _);
            Assert.Equal((ushort)TftpOpcode.Error, BinaryPrimitives.ReadUInt16BigEndian(reply));
            Assert.Equal((ushort)TftpError.IllegalOperation, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(2)));
            Assert.True(reply.Length <= Math.Max(5, packet.Length));
        }
        Send(socket, server, Request(TftpOpcode.ReadRequest, "ok.bin"));
        Assert.Equal([0, 3, 0, 1, 9], Receive(socket, out _));
    }

    [Fact]
    public void A_packet_from_a_wrong_transfer_id_gets_error_5_and_the_transfer_goes_on()
    {
        using var server = new TftpFixture();
        byte[] content = new byte[1500];
        new Random(3).NextBytes(content);
        server.Shared("f.bin", content);
        using var client = Client();
        using var stranger = Client();
        Send(client, server, Request(TftpOpcode.ReadRequest, "f.bin"));
        var first = Receive(client, out var tid);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(first.AsSpan(2)));

        stranger.SendTo(new byte[] { 0, 4, 0, 1 }, tid);
        var error = Receive(stranger, out _);
        Assert.Equal((ushort)TftpError.UnknownTransferId, BinaryPrimitives.ReadUInt16BigEndian(error.AsSpan(2)));

        var received = new List<byte>(first[4..]);
        for (ushort block = 1; ; block++)
        {
            client.SendTo(new byte[] { 0, 4, (byte)(block >> 8), (byte)block }, tid);
            if (received.Count % 512 != 0 || block > 3)
            {
                break;
            }
            var data = Receive(client, out _);
            received.AddRange(data[4..]);
            if (data.Length < 516)
            {
                client.SendTo(new byte[] { 0, 4, (byte)((block + 1) >> 8), (byte)(block + 1) }, tid);
                break;
            }
        }
        Assert.Equal(content, received.ToArray());
    }

    private static (TftpError Code, string Message) Ask(TftpFixture server, TftpOpcode opcode, string name)
    {
        using var socket = Client();
        Send(socket, server, Request(opcode, name));
        var reply = Receive(socket, out _);
        Assert.Equal((ushort)TftpOpcode.Error, BinaryPrimitives.ReadUInt16BigEndian(reply));
        TftpCodec.TryReadError(reply, out var code, out string message);
        return (code, message);
    }

    private static byte[] Request(TftpOpcode opcode, string name)
    {
        byte[] n = Encoding.UTF8.GetBytes(name);
        return [0, (byte)opcode, .. n, 0, .. "octet"u8, 0];
    }

    private static Socket Client()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.ReceiveTimeout = 5000;
        return socket;
    }

    private static void Send(Socket socket, TftpFixture server, byte[] packet) => socket.SendTo(packet, new IPEndPoint(IPAddress.Loopback, server.Port));

    private static byte[] Receive(Socket socket, out EndPoint from)
    {
        var buffer = new byte[70000];
        from = new IPEndPoint(IPAddress.Any, 0);
        int n = socket.ReceiveFrom(buffer, ref from);
        return buffer[..n];
    }
}
