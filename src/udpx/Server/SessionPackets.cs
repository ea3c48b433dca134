using System.Buffers.Binary;
using System.Security.Cryptography;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// A session's packet numbers: the server's own (every reply of the session gets the next one, starting
/// at 1; 0 is for stateless replies), the largest data packet number received and the send time of the
/// latest data datagram to arrive (both in every Ack), the randoms both sides contributed to the payload keys, and, when keyed, the replay window.
/// </summary>
internal sealed class SessionPackets(UInt128 clientRandom, bool keyed)
{
    private ulong _next = 1;

    public UInt128 ClientRandom { get; } = clientRandom;

    public UInt128 ServerRandom { get; } = NewRandom();

    /// <summary>Keyed sessions only: client packet numbers already seen.</summary>
    public ReplayWindow? Replay { get; } = keyed ? new ReplayWindow() : null;

    public ulong LargestDataReceived { get; private set; }

    /// <summary>
    /// The send time carried by the data datagram that arrived last. Not that of the largest number: under
    /// delay jitter the largest number received is biased towards datagrams that happened to be fast, which
    /// would bias the sender's RTT estimate low and its reordering allowance with it.
    /// </summary>
    public uint EchoOfLatest { get; private set; }

    public ulong NextOutgoing() => _next++;

    /// <summary>Records a data datagram's number and send time.</summary>
    public void OnData(ulong packetNumber, uint sendTime)
    {
        LargestDataReceived = Math.Max(LargestDataReceived, packetNumber);
        EchoOfLatest = sendTime;
    }

    private static UInt128 NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Wire.RandomSize];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }
}
