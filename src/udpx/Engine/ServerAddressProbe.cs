using System.Net;
using System.Net.Sockets;
using Udpx.Common;
using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>
/// Picks which of a server's addresses a transfer uses, trying each in turn as curl does: a name such as
/// localhost has an IPv4 and an IPv6 address, and a server bound to one of them refuses the other.
/// With several candidates, a Hello goes to each at once (a udpx server answers it with a Cookie and keeps
/// nothing); an address that refuses (ICMP port unreachable) is passed over, and the first in order that
/// answers wins. When the wait ends without an answer (a keyed server drops an unsigned Hello), the first
/// address that did not refuse is used, so the transfer's own handshake and timeouts take over from there.
/// </summary>
internal static class ServerAddressProbe
{
    private enum Verdict : byte
    {
        Unknown,
        Answered,
        Refused,
    }

    public static IPEndPoint Choose(IReadOnlyList<IPEndPoint> candidates, TimeSpan wait)
    {
        if (candidates.Count == 1)
        {
            return candidates[0];
        }
        var sockets = new Socket?[candidates.Count];
        var verdicts = new Verdict[candidates.Count];
        var buffer = new byte[2048];
        try
        {
            for (int i = 0; i < candidates.Count; i++)
            {
                verdicts[i] = TrySendHello(candidates[i], buffer, out sockets[i]) ? Verdict.Unknown : Verdict.Refused;
            }
            long deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
            while (true)
            {
                int chosen = Preferred(verdicts);
                if (chosen >= 0)
                {
                    return candidates[chosen];
                }
                if (Environment.TickCount64 >= deadline)
                {
                    return candidates[Fallback(verdicts)];
                }
                for (int i = 0; i < sockets.Length; i++)
                {
                    if (verdicts[i] == Verdict.Unknown)
                    {
                        verdicts[i] = Listen(sockets[i]!, buffer);
                    }
                }
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }

    /// <summary>The first candidate that answered, once every one before it refused; -1 while undecided.</summary>
    private static int Preferred(Verdict[] verdicts)
    {
        for (int i = 0; i < verdicts.Length; i++)
        {
            if (verdicts[i] == Verdict.Answered)
            {
                return i;
            }
            if (verdicts[i] == Verdict.Unknown)
            {
                return -1;
            }
        }
        return 0; // every one refused: the transfer fails on the first, as it would have without trying
    }

    /// <summary>At the deadline: any that answered, else the first that did not refuse.</summary>
    private static int Fallback(Verdict[] verdicts)
    {
        int answered = Array.IndexOf(verdicts, Verdict.Answered);
        int quiet = Array.IndexOf(verdicts, Verdict.Unknown);
        return answered >= 0 ? answered : Math.Max(quiet, 0);
    }

    private static bool TrySendHello(IPEndPoint server, byte[] buffer, out Socket? socket)
    {
        socket = null;
        try
        {
            socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(server);
            ulong sessionId = KernelRandom.NextSessionId();
            int length = MessageCodec.WriteHello(buffer, new HelloMessage(sessionId, 0));
            socket.Send(buffer.AsSpan(0, length));
            return true;
        }
        catch (SocketException)
        {
            return false; // no route, no such family on this host, or already refused
        }
    }

    private static Verdict Listen(Socket socket, byte[] buffer)
    {
        try
        {
            if (!socket.Poll(TimeSpan.FromMilliseconds(10), SelectMode.SelectRead))
            {
                return Verdict.Unknown;
            }
            socket.Receive(buffer);
            return Verdict.Answered;
        }
        catch (SocketException)
        {
            return Verdict.Refused;
        }
    }
}
