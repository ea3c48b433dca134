using System.Buffers.Binary;
using System.Net;

namespace Udpx.Tests.Gns3;

/// <summary>
/// Writes a classic pcap file (microsecond timestamps, Ethernet link type) of UDP datagrams, each wrapped
/// in made-up Ethernet and IPv4 headers, so that tshark sees what a link capture would show.
/// </summary>
internal sealed class PcapWriter : IDisposable
{
    private const int EthernetHeader = 14;
    private const int Ipv4Header = 20;
    private const int UdpHeader = 8;

    private readonly FileStream _file;
    private readonly byte[] _frame = new byte[EthernetHeader + Ipv4Header + UdpHeader + 65535];
    private ushort _ipId;

    public PcapWriter(string path)
    {
        _file = File.Create(path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262144); // snap length
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);      // LINKTYPE_ETHERNET
        _file.Write(header);
    }

    public int Frames { get; private set; }

    /// <summary>
    /// Appends one IPv4 UDP datagram from <paramref name="source"/> to <paramref name="destination"/>, of which
    /// the file keeps the first <paramref name="snapLength"/> bytes of the frame (as a capture with -s does).
    /// </summary>
    public void Write(IPEndPoint source, IPEndPoint destination, ReadOnlySpan<byte> payload, DateTimeOffset time, int snapLength = int.MaxValue)
    {
        int udpLength = UdpHeader + payload.Length;
        int ipLength = Ipv4Header + udpLength;
        int frameLength = EthernetHeader + ipLength;
        var frame = _frame.AsSpan(0, frameLength);
        frame.Clear();

        // Ethernet: locally administered addresses made from the IPv4 ones, type IPv4.
        MacOf(destination.Address, frame[..6]);
        MacOf(source.Address, frame[6..12]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);

        var ip = frame.Slice(EthernetHeader, Ipv4Header);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], _ipId++);
        ip[6] = 0x40; // don't fragment
        ip[8] = 64;
        ip[9] = 17;   // UDP
        source.Address.GetAddressBytes().CopyTo(ip[12..]);
        destination.Address.GetAddressBytes().CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Ipv4Checksum(ip));

        var udp = frame.Slice(EthernetHeader + Ipv4Header, udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], (ushort)destination.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        // UDP checksum 0: "none", which IPv4 allows.
        payload.CopyTo(udp[UdpHeader..]);

        Span<byte> record = stackalloc byte[16];
        long micros = (time - DateTimeOffset.UnixEpoch).Ticks / 10;
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(micros % 1_000_000));
        int kept = Math.Min(frameLength, snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)kept);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frameLength);
        _file.Write(record);
        _file.Write(frame[..kept]);
        Frames++;
    }

    public void Dispose() => _file.Dispose();

    private static void MacOf(IPAddress address, Span<byte> mac)
    {
        mac[0] = 0x02;
        mac[1] = 0x00;
        address.GetAddressBytes().CopyTo(mac[2..]);
    }

    private static ushort Ipv4Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
