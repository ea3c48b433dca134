using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Udpx.Tftp;

namespace Udpx.Tests.Ui;

/// <summary>
/// A TFTP reader driven one step at a time over loopback, so a test can look at the server between blocks:
/// the request, then an ACK per call. Each DATA is read from the transfer's own port (its TID).
/// </summary>
internal sealed class TftpHandClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly byte[] _buffer = new byte[70000];
    private EndPoint _transfer = new IPEndPoint(IPAddress.Any, 0);

    public TftpHandClient()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.ReceiveTimeout = 5000;
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Sends an RRQ (octet, no options) and returns the payload of block 1.</summary>
    public byte[] Read(int serverPort, string name)
    {
        byte[] request = [0, (byte)TftpOpcode.ReadRequest, .. Encoding.UTF8.GetBytes(name), 0, .. "octet"u8, 0];
        _socket.SendTo(request, new IPEndPoint(IPAddress.Loopback, serverPort));
        return Data(1);
    }

    /// <summary>Acknowledges <paramref name="block"/>; returns the next block's payload, or null after the last.</summary>
    public byte[]? Ack(ushort block, bool last)
    {
        byte[] ack = new byte[4];
        TftpCodec.WriteAck(ack, block);
        _socket.SendTo(ack, _transfer);
        return last ? null : Data((ushort)(block + 1));
    }

    private byte[] Data(ushort block)
    {
        while (true)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n = _socket.ReceiveFrom(_buffer, ref from);
            // A retransmission of an earlier block (a slow test machine) is skipped.
            if (n >= 4 && BinaryPrimitives.ReadUInt16BigEndian(_buffer) == (ushort)TftpOpcode.Data && BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(2)) == block)
            {
                _transfer = from;
                return _buffer[4..n];
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
