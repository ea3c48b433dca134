namespace Udpx.Bench.Peers;

/// <summary>The peer tools `udpx bench --peers` compares with, in the order the tables list them.</summary>
internal static class PeerCatalog
{
    public static IReadOnlyList<PeerTool> All(IEnumerable<int> datagramSizes) =>
    [
        new SocatPeer(),
        new AtftpPeer(),
        new CurlTftpPeer(),
        new UftpPeer(8800),
        new UftpPeer(1300),
        new UdpcastPeer(),
        .. datagramSizes.Distinct().Select(d => new Iperf3Peer(d)),
    ];
}
