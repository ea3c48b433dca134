using Udpx.Engine;
using Udpx.Protocol;

namespace Udpx.Tests.Support;

/// <summary>
/// A sender driven by hand past its handshake: Hello, a Cookie fed in, Offer, an Accept fed in (signed
/// with the server's key when the options carry one), so that a test can feed it exactly the
/// acknowledgements and refusals it is about.
/// </summary>
internal static class HandDrivenSender
{
    /// <summary>The sender, now sending; <paramref name="at"/> is when the Accept arrived.</summary>
    public static SenderProtocol Accepted(ulong session, byte[] file, SenderOptions options, out long at, ulong resumeFrom = 0)
    {
        var plan = new TransferPlan(session, "f.bin", file.Length, Wire.EthernetDatagramSize, options.Key is null ? 0 : DatagramAuthenticator.TagSize);
        var sender = new SenderProtocol(plan, new MemoryChunkSource(file), options, new TransferCounters());
        var server = options.Key is { } key ? DatagramAuthenticator.ForServer(key) : null;
        byte[] buffer = new byte[Wire.EthernetDatagramSize];
        byte[] reply = new byte[Wire.EthernetDatagramSize];
        Assert.True(sender.TryWriteNext(buffer, 0) > 0); // Hello
        Deliver(MessageCodec.WriteCookie(reply, new CookieMessage(session, 0, 1, 2)), 1_000);
        Assert.True(sender.TryWriteNext(buffer, 1_000) > 0); // Offer
        at = 2_000;
        Deliver(MessageCodec.WriteAccept(reply, new AcceptMessage(session, resumeFrom, 8192, (ushort)plan.ChunkSize, 9, 1)), at);
        Assert.Equal(TransferPhase.Sending, sender.Phase);
        return sender;

        void Deliver(int length, long now) => sender.OnDatagram(reply.AsSpan(0, server is null ? length : server.Sign(reply, length)), now);
    }
}
