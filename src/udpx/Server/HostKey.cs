using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Udpx.Server;

/// <summary>
/// A source address without its port, as one 128-bit value: what the per-host limits count. An IPv4
/// address is written in its IPv4-mapped IPv6 form, so a dual-stack socket counts it once either way; an
/// IPv6 address counts by its /64 prefix.
/// </summary>
internal static class HostKey
{
    private static readonly UInt128 MappedPrefix = (UInt128)0xFFFF << 32;

    public static UInt128 Of(SocketAddress address)
    {
        var bytes = address.Buffer.Span[..address.Size];
        return address.Family switch
        {
            // sockaddr_in: family (2), port (2), address (4).
            AddressFamily.InterNetwork when bytes.Length >= 8 => MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]),
            // sockaddr_in6: family (2), port (2), flow info (4), address (16), scope (4).
            // An IPv6 host usually holds a whole /64: count the prefix, or it could pose as 2^64 hosts.
            AddressFamily.InterNetworkV6 when bytes.Length >= 24 => IPv6Prefix(BinaryPrimitives.ReadUInt128BigEndian(bytes[8..])),
            _ => 0,
        };
    }

    /// <summary>An IPv4-mapped address stays whole (it is an IPv4 host); any other IPv6 address keeps its first 64 bits.</summary>
    private static UInt128 IPv6Prefix(UInt128 address) =>
        address >> 32 == 0xFFFF ? address : address & ~(UInt128)ulong.MaxValue;
}
