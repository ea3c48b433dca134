using System.Security.Cryptography;

namespace Udpx.Protocol;

/// <summary>
/// Authenticates every datagram with a 16-byte HMAC-SHA256 tag appended after the message, keyed per
/// direction from a pre-shared key; flag bit 0 of the header says a tag is there. The tag covers the
/// whole datagram but the checksum field; the checksum is then computed over everything, tag included.
/// One instance per protocol (it owns a scratch buffer); no allocation per datagram.
/// </summary>
internal sealed class DatagramAuthenticator(byte[] sendKey, byte[] receiveKey)
{
    public const int TagSize = 16;
    public const byte Flag = 0x01;

    private readonly byte[] _scratch = new byte[Wire.MaxDatagramSize];

    public static DatagramAuthenticator ForClient(PreSharedKey key) => new(key.ClientToServer, key.ServerToClient);

    public static DatagramAuthenticator ForServer(PreSharedKey key) => new(key.ServerToClient, key.ClientToServer);

    /// <summary>Appends the tag to the sealed message of <paramref name="length"/> bytes; returns the new length.</summary>
    public int Sign(Span<byte> buffer, int length)
    {
        buffer[3] |= Flag;
        buffer.Slice(4, 4).Clear();
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(sendKey, buffer[..length], mac);
        mac[..TagSize].CopyTo(buffer[length..]);
        Checksum.Seal(buffer[..(length + TagSize)]);
        return length + TagSize;
    }

    /// <summary>True when the datagram (checksum already checked) carries a valid tag; <paramref name="messageLength"/> excludes it.</summary>
    public bool Verify(ReadOnlySpan<byte> datagram, out int messageLength)
    {
        messageLength = datagram.Length - TagSize;
        if (messageLength < Wire.HeaderSize || (datagram[3] & Flag) == 0)
        {
            return false;
        }
        var copy = _scratch.AsSpan(0, messageLength);
        datagram[..messageLength].CopyTo(copy);
        copy.Slice(4, 4).Clear();
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(receiveKey, copy, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..TagSize], datagram[messageLength..]);
    }
}
