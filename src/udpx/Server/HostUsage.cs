namespace Udpx.Server;

/// <summary>What one source address holds on a server: sessions in progress and the bytes they offered.</summary>
internal sealed class HostUsage
{
    public int Sessions { get; set; }

    public long Reserved { get; set; }
}
