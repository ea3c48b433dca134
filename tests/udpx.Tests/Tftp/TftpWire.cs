using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>A TFTP client by hand over a loopback socket, packet by packet, for the tests of udpx's listener (<see cref="TftpFixture"/>).</summary>
internal static class TftpWire
{
    public static (TftpError Code, string Message) Ask(TftpFixture server, TftpOpcode opcode, string name)
    {
        using var socket = OpenClient();
        Send(socket, server, Request(opcode, name));
        var reply = Receive(socket, out _);
        Assert.Equal((ushort)TftpOpcode.Error, BinaryPrimitives.ReadUInt16BigEndian(reply));
        TftpCodec.TryReadError(reply, out var code, out string message);
        return (code, message);
    }

    /// <summary>A whole write in lockstep, 512-byte blocks: no code when the server acknowledged the last block, else its error.</summary>
    public static (TftpError? Code, string Message) Put(TftpFixture server, string name, byte[] content)
    {
        using var socket = OpenClient();
        Send(socket, server, Request(TftpOpcode.WriteRequest, name));
        var reply = Receive(socket, out var tid);
        if (IsError(reply, out var refused, out string why))
        {
            return (refused, why);
        }
        Assert.Equal([0, 4, 0, 0], reply);
        for (int block = 1; ; block++)
        {
            int at = (block - 1) * 512;
            int length = Math.Min(512, content.Length - at);
            socket.SendTo([0, 3, (byte)(block >> 8), (byte)block, .. content.AsSpan(at, length)], tid);
            reply = Receive(socket, out _);
            if (IsError(reply, out var failed, out string message))
            {
                return (failed, message);
            }
            Assert.Equal([0, 4, (byte)(block >> 8), (byte)block], reply);
            if (length < 512)
            {
                // Committed before this ACK left: the file is under its name now.
                return (null, string.Empty);
            }
        }
    }

    public static bool IsError(byte[] packet, out TftpError code, out string message)
    {
        code = default;
        message = string.Empty;
        return BinaryPrimitives.ReadUInt16BigEndian(packet) == (ushort)TftpOpcode.Error && TftpCodec.TryReadError(packet, out code, out message);
    }

    public static byte[] Request(TftpOpcode opcode, string name)
    {
        byte[] n = Encoding.UTF8.GetBytes(name);
        return [0, (byte)opcode, .. n, 0, .. "octet"u8, 0];
    }

    public static Socket OpenClient()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.ReceiveTimeout = 5000;
        return socket;
    }

    public static void Send(Socket socket, TftpFixture server, byte[] packet) => socket.SendTo(packet, new IPEndPoint(IPAddress.Loopback, server.Port));

    public static byte[] Receive(Socket socket, out EndPoint from)
    {
        var buffer = new byte[70000];
        from = new IPEndPoint(IPAddress.Any, 0);
        int n = socket.ReceiveFrom(buffer, ref from);
        return buffer[..n];
    }
}
