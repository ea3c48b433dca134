using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>
/// In a gap the server acknowledges every 16 new chunks or on its timer, but the file's last chunk at once: its
/// acknowledgement names everything still missing, and a small file is mostly its tail.
/// </summary>
public sealed class LastChunkAckTests
{
    [Fact]
    public void The_last_chunk_arriving_over_a_gap_is_acknowledged_at_once()
    {
        var (server, peer, file) = Started(chunks: 10);
        using (server)
        {
            foreach (ulong chunk in (ulong[])[0, 1, 2, 3, 5, 6, 7, 8])
            {
                peer.Chunk(1, file, chunk); // chunk 4 lost: a gap, and fewer new chunks than draw an Ack in one
            }
            int acks = peer.Count(MessageType.Ack);

            peer.Chunk(1, file, 9);

            Assert.Equal(acks + 1, peer.Count(MessageType.Ack));
            Assert.True(MessageCodec.TryReadAck(peer.Last(MessageType.Ack), out var ack));
            Assert.Equal(4UL, ack.Cumulative);
        }
    }

    [Fact]
    public void A_chunk_before_the_last_arriving_over_a_gap_waits_for_the_batch_or_the_timer()
    {
        var (server, peer, file) = Started(chunks: 10);
        using (server)
        {
            foreach (ulong chunk in (ulong[])[0, 1, 2, 3, 5, 6, 7])
            {
                peer.Chunk(1, file, chunk);
            }
            int acks = peer.Count(MessageType.Ack);

            peer.Chunk(1, file, 8);

            Assert.Equal(acks, peer.Count(MessageType.Ack));
        }
    }

    private static (ServerProtocol Server, ServerPeer Peer, byte[] File) Started(int chunks)
    {
        var server = new ServerProtocol(new ServerOptions(), new MemoryFileStore { ChunkSize = ServerPeer.ChunkSize });
        var peer = new ServerPeer(server, 5000) { Now = 1_000_000 };
        byte[] file = Simulation.RandomFile(chunks * ServerPeer.ChunkSize, 9);
        peer.Open(1, file.Length, "tail.bin");
        server.Poll(peer.Now, peer);
        Assert.Equal(1, peer.Count(MessageType.Accept));
        return (server, peer, file);
    }
}
