using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Udpx.Protocol;

/// <summary>
/// Stateless proof of a client's address: the server hands out a MAC over (address, session id, time)
/// and keeps nothing until the client brings it back in an offer.
/// </summary>
internal sealed class CookieJar
{
    private readonly byte[] _key = new byte[16];

    public CookieJar(TimeSpan lifetime)
    {
        RandomNumberGenerator.Fill(_key);
        LifetimeSeconds = (ulong)Math.Max(1, lifetime.TotalSeconds);
    }

    public ulong LifetimeSeconds { get; }

    public ulong Issue(SocketAddress client, ulong sessionId, ulong issuedAtSeconds) =>
        Mac(client, sessionId, issuedAtSeconds);

    public bool IsValid(SocketAddress client, ulong sessionId, ulong issuedAtSeconds, ulong mac, ulong nowSeconds)
    {
        // A little slack into the future covers a clock step between issue and check.
        if (issuedAtSeconds > nowSeconds + 2 || nowSeconds - issuedAtSeconds > LifetimeSeconds)
        {
            return false;
        }
        return Mac(client, sessionId, issuedAtSeconds) == mac;
    }

    private ulong Mac(SocketAddress client, ulong sessionId, ulong issuedAtSeconds)
    {
        Span<byte> input = stackalloc byte[16 + 128];
        var address = client.Buffer.Span[..client.Size];
        BinaryPrimitives.WriteUInt64LittleEndian(input, sessionId);
        BinaryPrimitives.WriteUInt64LittleEndian(input[8..], issuedAtSeconds);
        int length = 16 + Math.Min(address.Length, 128);
        address[..(length - 16)].CopyTo(input[16..]);
        return SipHash.Compute(_key, input[..length]);
    }
}
