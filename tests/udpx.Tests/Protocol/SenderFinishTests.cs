using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>The client's Finish: when it goes out, and that its digest is the file's whatever was sent.</summary>
public sealed class SenderFinishTests
{
    private const ulong Session = 0x5eed;
    private static readonly int ChunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize);
    private readonly byte[] _buffer = new byte[Wire.EthernetDatagramSize];
    private readonly byte[] _reply = new byte[Wire.EthernetDatagramSize];

    [Fact]
    public void The_Finish_follows_the_first_send_of_the_last_chunk_and_names_the_digest()
    {
        byte[] file = Simulation.RandomFile(5 * ChunkSize + 100, 11);
        var sender = Accepted(file, resumeFrom: 0);

        var sent = DrainDatagrams(sender);

        Assert.Equal(7, sent.Count);
        Assert.All(sent.Take(6), d => Assert.Equal((byte)MessageType.Data, d[2]));
        Assert.True(MessageCodec.TryReadFinish(sent[6], out var finish));
        // Hello and Offer took packet numbers 0 and 1, the six chunks 2 to 7.
        Assert.Equal(new FinishMessage(Session, (ulong)file.Length, ChunkDigest.Of(file, ChunkSize), 8), finish);
    }

    [Fact]
    public void Chunks_the_server_already_holds_still_count_in_the_digest()
    {
        byte[] file = Simulation.RandomFile(5 * ChunkSize + 100, 12);
        var sender = Accepted(file, resumeFrom: 2);

        var sent = DrainDatagrams(sender);

        Assert.Equal(5, sent.Count); // chunks 2 to 5, then the Finish
        Assert.True(MessageCodec.TryReadData(sent[0], out ulong first, out _, out _));
        Assert.Equal(2UL, first);
        Assert.True(MessageCodec.TryReadFinish(sent[^1], out var finish));
        Assert.Equal(ChunkDigest.Of(file, ChunkSize), finish.Digest);
    }

    /// <summary>A sender past its handshake: Cookie and Accept fed in by hand.</summary>
    private SenderProtocol Accepted(byte[] file, ulong resumeFrom)
    {
        var plan = new TransferPlan(Session, "f.bin", file.Length, Wire.EthernetDatagramSize);
        var sender = new SenderProtocol(plan, new MemoryChunkSource(file), new SenderOptions(), new TransferCounters());
        Assert.True(sender.TryWriteNext(_buffer, 0) > 0); // Hello
        sender.OnDatagram(_reply.AsSpan(0, MessageCodec.WriteCookie(_reply, new CookieMessage(Session, 0, 1, 2))), 100);
        Assert.True(sender.TryWriteNext(_buffer, 100) > 0); // Offer
        sender.OnDatagram(_reply.AsSpan(0, MessageCodec.WriteAccept(_reply, new AcceptMessage(Session, resumeFrom, 1024, (ushort)ChunkSize, 0, 1))), 200);
        Assert.Equal(TransferPhase.Sending, sender.Phase);
        return sender;
    }

    private List<byte[]> DrainDatagrams(SenderProtocol sender)
    {
        var sent = new List<byte[]>();
        int length;
        while ((length = sender.TryWriteNext(_buffer, 300)) > 0)
        {
            sent.Add(_buffer.AsSpan(0, length).ToArray());
        }
        return sent;
    }
}
