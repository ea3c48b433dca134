using Udpx.Net;

namespace Udpx.Server;

/// <summary>
/// The receive threads of one server read as one: every thread's sessions, their counters added up, each
/// thread's datagram stream. What the screen and the console show; each thread keeps writing only its own.
/// </summary>
internal sealed class ServerShards(IReadOnlyList<ServerProtocol> protocols, IReadOnlyList<DatagramRing> streams)
{
    /// <summary>One server on one thread, as the demo and the preview start it.</summary>
    public static ServerShards Of(ServerProtocol protocol, DatagramRing stream) => new([protocol], [stream]);

    public IReadOnlyList<ServerProtocol> Protocols => protocols;

    public IReadOnlyList<DatagramRing> Streams => streams;

    /// <summary>Every thread's session list, one after the other (a copy when there are several).</summary>
    public IReadOnlyList<ReceiverSession> Sessions
    {
        get
        {
            if (protocols.Count == 1)
            {
                return protocols[0].Sessions;
            }
            var all = new List<ReceiverSession>();
            foreach (var protocol in protocols)
            {
                all.AddRange(protocol.Sessions);
            }
            return all;
        }
    }

    public ServerStats Stats
    {
        get
        {
            var parts = new ServerStats[protocols.Count];
            for (int i = 0; i < parts.Length; i++)
            {
                parts[i] = protocols[i].Stats;
            }
            return ServerStats.Sum(parts);
        }
    }
}
