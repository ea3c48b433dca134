using System.Buffers.Binary;

namespace Udpx.Protocol;

/// <summary>
/// The 24 bytes every udpx datagram starts with. The packet number counts up by one for every datagram a
/// side sends in a session (a retransmission gets a new one), so it orders acknowledgements, makes the
/// payload nonces unique and lets a keyed receiver refuse replays. Stateless replies carry 0.
/// </summary>
internal readonly record struct DatagramHeader(MessageType Type, ulong SessionId, ulong PacketNumber = 0)
{
    public void Write(Span<byte> datagram)
    {
        datagram[0] = Wire.Magic;
        datagram[1] = Wire.Version;
        datagram[2] = (byte)Type;
        datagram[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(datagram[4..], 0);
        BinaryPrimitives.WriteUInt64BigEndian(datagram[8..], SessionId);
        BinaryPrimitives.WriteUInt64BigEndian(datagram[Wire.PacketNumberOffset..], PacketNumber);
    }

    public static ulong PacketNumberOf(ReadOnlySpan<byte> datagram) => BinaryPrimitives.ReadUInt64BigEndian(datagram[Wire.PacketNumberOffset..]);

    /// <summary>Reads and checks the header: magic, version, known type, length, checksum.</summary>
    public static DatagramStatus TryRead(ReadOnlySpan<byte> datagram, out DatagramHeader header) =>
        TryRead(datagram, out header, out _);

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte}, out DatagramHeader)"/>; also gives a data datagram's payload hash.</summary>
    public static DatagramStatus TryRead(ReadOnlySpan<byte> datagram, out DatagramHeader header, out ulong payloadHash)
    {
        header = default;
        payloadHash = 0;
        if (datagram.Length < Wire.HeaderSize || datagram[0] != Wire.Magic)
        {
            return DatagramStatus.NotUdpx;
        }
        if (datagram[1] != Wire.Version)
        {
            return DatagramStatus.WrongVersion;
        }
        var type = (MessageType)datagram[2];
        if (type is < MessageType.Hello or > MessageType.Abort)
        {
            return DatagramStatus.Malformed;
        }
        if (!Checksum.IsValid(datagram, out payloadHash))
        {
            return DatagramStatus.BadChecksum;
        }
        header = new DatagramHeader(type, BinaryPrimitives.ReadUInt64BigEndian(datagram[8..]), PacketNumberOf(datagram));
        return DatagramStatus.Ok;
    }
}

internal enum DatagramStatus
{
    Ok,
    NotUdpx,
    WrongVersion,
    Malformed,
    BadChecksum,
}
