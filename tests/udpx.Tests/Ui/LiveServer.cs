using System.Net;
using Udpx.Engine;
using Udpx.Net;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Ui;

/// <summary>
/// A real server protocol fed by real senders, datagram by datagram and without sockets, so the UI reads
/// genuine sessions and a genuine stream ring. Each sender can be stopped part way.
/// </summary>
internal sealed class LiveServer : IDisposable
{
    private readonly Sink _sink = new();

    public LiveServer()
    {
        Server = new ServerProtocol(new ServerOptions(), Store) { Stream = Ring };
    }

    public MemoryFileStore Store { get; } = new();

    public DatagramRing Ring { get; } = new(256);

    public ServerProtocol Server { get; }

    public long NowMicros { get; private set; }

    /// <summary>Starts a transfer from 127.0.0.1:<paramref name="port"/> and runs it until the server holds at least <paramref name="stopAfter"/> bytes.</summary>
    public Transfer Start(string name, int size, long stopAfter, int port = 40000, ulong sessionId = 0x1234_5678_9abc_def0)
    {
        byte[] file = Simulation.RandomFile(size, port);
        var plan = new TransferPlan(sessionId, name, file.Length, 1472);
        var counters = new TransferCounters();
        var sender = new SenderProtocol(plan, new MemoryChunkSource(file), new SenderOptions(), counters);
        var transfer = new Transfer(sender, counters, new IPEndPoint(IPAddress.Loopback, port).Serialize(), sessionId);
        Continue(transfer, stopAfter);
        return transfer;
    }

    /// <summary>Runs a transfer on until the server holds at least <paramref name="stopAfter"/> bytes of it, or it ends.</summary>
    public void Continue(Transfer transfer, long stopAfter)
    {
        byte[] buffer = new byte[1472];
        long limit = NowMicros + 60_000_000;
        while (!transfer.Sender.IsFinished && NowMicros < limit)
        {
            int length;
            while ((length = transfer.Sender.TryWriteNext(buffer, NowMicros)) > 0)
            {
                Server.Handle(buffer.AsSpan(0, length), transfer.Address, NowMicros, _sink);
                Deliver(transfer);
                if (Received(transfer.SessionId) >= stopAfter)
                {
                    return;
                }
            }
            Server.Poll(NowMicros, _sink);
            Deliver(transfer);
            NowMicros += 200;
        }
    }

    public long Received(ulong sessionId)
    {
        foreach (var session in Server.Sessions)
        {
            if (session.Id == sessionId)
            {
                return session.BytesReceived;
            }
        }
        return 0;
    }

    private void Deliver(Transfer transfer)
    {
        while (_sink.Replies.TryDequeue(out byte[]? reply))
        {
            transfer.Sender.OnDatagram(reply, NowMicros);
        }
    }

    public void Dispose() => Server.Dispose();

    internal sealed record Transfer(SenderProtocol Sender, TransferCounters Counters, SocketAddress Address, ulong SessionId);

    private sealed class Sink : IDatagramSink
    {
        public Queue<byte[]> Replies { get; } = new();

        public void Send(ReadOnlySpan<byte> datagram, SocketAddress to) => Replies.Enqueue(datagram.ToArray());
    }
}
