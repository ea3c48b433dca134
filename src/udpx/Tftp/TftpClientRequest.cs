using System.Net;
using System.Net.Sockets;
using Udpx.Engine;

namespace Udpx.Tftp;

/// <summary>
/// The client's first exchange: the RRQ or WRQ to the server's port, repeated on a timeout, until the
/// server answers from the port of its transfer (the TID): an OACK (the options it took, checked to be
/// no more than asked), ACK 0 to a write or DATA 1 to a read (it ignored the options: plain RFC 1350),
/// or an ERROR. A server that refuses the options (error 8, or an error naming them) is asked again
/// without any.
/// </summary>
internal static class TftpClientRequest
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>What the server said: the peer (its TID), the options in force, and its first packet.</summary>
    internal sealed record Answer(IPEndPoint Peer, TftpTransferOptions Options, bool OptionsAcknowledged, byte[] FirstPacket);

    public static Answer Send(Socket socket, IPEndPoint server, TftpOpcode opcode, string name, TftpTransferSettings settings, long? size, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var asked = new List<KeyValuePair<string, string>>
        {
            new("blksize", TftpTransferOptions.Text(settings.BlockSize)),
            new("tsize", TftpTransferOptions.Text(size ?? 0)),
            new("timeout", "1"),
        };
        if (settings.WindowSize > 1)
        {
            asked.Add(new("windowsize", TftpTransferOptions.Text(settings.WindowSize)));
        }
        var answer = Exchange(socket, server, opcode, name, asked, connectTimeout, cancellationToken, out var refusal);
        if (answer is null && refusal is { } r && RefusesOptions(r))
        {
            answer = Exchange(socket, server, opcode, name, [], connectTimeout, cancellationToken, out refusal);
        }
        if (answer is null)
        {
            throw new TftpClientException(refusal is { } why ? "the server refused: " + why.Message + " (TFTP error " + (int)why.Code + ")" : "no answer from " + server + " within " + connectTimeout.TotalSeconds + " s (is a TFTP server listening there?)");
        }
        return answer;
    }

    private static bool RefusesOptions(TftpRefusal refusal) =>
        refusal.Code == TftpError.OptionRefused
        || (refusal.Code is TftpError.NotDefined or TftpError.IllegalOperation && refusal.Message.Contains("option", StringComparison.OrdinalIgnoreCase));

    private static Answer? Exchange(Socket socket, IPEndPoint server, TftpOpcode opcode, string name, List<KeyValuePair<string, string>> asked, TimeSpan connectTimeout, CancellationToken cancellationToken, out TftpRefusal? refusal)
    {
        refusal = null;
        var request = new byte[TftpCodec.MaxRequestBytes];
        int length = TftpCodec.WriteRequest(request, opcode, name, TftpMode.Octet, asked);
        var buffer = new byte[TftpTransferOptions.MaxBlockSize + 4];
        var until = DateTime.UtcNow + connectTimeout;
        while (DateTime.UtcNow < until)
        {
            cancellationToken.ThrowIfCancellationRequested();
            socket.SendTo(request.AsSpan(0, length), SocketFlags.None, server);
            var resend = DateTime.UtcNow + Timeout;
            while (DateTime.UtcNow < resend)
            {
                int wait = (int)Math.Max(0, (resend - DateTime.UtcNow).TotalMicroseconds);
                if (!socket.Poll(Math.Min(wait, 100_000), SelectMode.SelectRead))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }
                EndPoint from = new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                int n;
                try
                {
                    n = socket.ReceiveFrom(buffer, ref from);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
                {
                    throw new TftpClientException("connection refused: nothing listens on " + server);
                }
                var peer = (IPEndPoint)from;
                if (!peer.Address.Equals(server.Address))
                {
                    continue;
                }
                var packet = buffer.AsSpan(0, n);
                if (Read(packet, opcode, peer, asked, out refusal) is { } answer)
                {
                    return answer;
                }
                if (refusal is not null)
                {
                    return null;
                }
            }
        }
        return null;
    }

    private static Answer? Read(ReadOnlySpan<byte> packet, TftpOpcode opcode, IPEndPoint peer, List<KeyValuePair<string, string>> asked, out TftpRefusal? refusal)
    {
        refusal = null;
        if (!TftpCodec.TryReadOpcode(packet, out var got))
        {
            return null;
        }
        switch (got)
        {
            case TftpOpcode.Error:
                TftpCodec.TryReadError(packet, out var code, out string message);
                refusal = new TftpRefusal(code, message);
                return null;
            case TftpOpcode.OptionAck when TftpCodec.TryReadOptions(packet[2..], out var given):
                return new Answer(peer, Accept(given, asked), true, packet.ToArray());
            case TftpOpcode.Ack when opcode == TftpOpcode.WriteRequest && TftpCodec.TryReadBlock(packet, out ushort b) && b == 0:
            case TftpOpcode.Data when opcode == TftpOpcode.ReadRequest && TftpCodec.TryReadBlock(packet, out ushort d) && d == 1:
                return new Answer(peer, new TftpTransferOptions(), false, packet.ToArray());
            default:
                return null;
        }
    }

    /// <summary>The options of an OACK, each no more than asked (RFC 2347: anything else is a reason to end with error 8).</summary>
    private static TftpTransferOptions Accept(Dictionary<string, string> given, List<KeyValuePair<string, string>> asked)
    {
        long Asked(string name) => long.Parse(asked.First(p => p.Key == name).Value, System.Globalization.CultureInfo.InvariantCulture);
        var options = new TftpTransferOptions();
        foreach (var (name, _) in given)
        {
            if (!asked.Exists(p => p.Key == name))
            {
                throw new TftpClientException("the server acknowledged an option that was not asked for: " + name);
            }
        }
        if (TftpTransferOptions.ParseInRange(given, "blksize", TftpTransferOptions.MinBlockSize, TftpTransferOptions.MaxBlockSize) is long blksize)
        {
            options = blksize <= Asked("blksize") ? options with { BlockSize = (int)blksize } : throw new TftpClientException("the server answered blksize " + blksize + ", more than asked");
        }
        if (TftpTransferOptions.ParseInRange(given, "windowsize", 1, 65535) is long window)
        {
            options = window <= Asked("windowsize") ? options with { WindowSize = (int)window } : throw new TftpClientException("the server answered windowsize " + window + ", more than asked");
        }
        if (TftpTransferOptions.ParseInRange(given, "timeout", 1, 255) is long seconds)
        {
            options = options with { Timeout = TimeSpan.FromSeconds(seconds) };
        }
        if (TftpTransferOptions.ParseInRange(given, "tsize", 0, long.MaxValue) is long tsize)
        {
            options = options with { TransferSize = tsize };
        }
        return options;
    }
}

/// <summary>A TFTP client transfer that could not go on; the message is for the user's result line.</summary>
internal sealed class TftpClientException(string message) : Exception(message);
