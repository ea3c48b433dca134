using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Udpx.Net;

namespace Udpx.Tftp;

/// <summary>
/// One request the listener accepted, from its own socket (a new port: the transfer's TID) to the end:
/// the checks (writes enabled, the name, the folder), option negotiation, then the sender (RRQ) or the
/// receiver (WRQ) under <see cref="TftpTransferLoop"/>. A write is committed under its name after its
/// last block arrived and before that block is acknowledged, so a client never hears success for a
/// file that was not stored; a failed or stopped write leaves nothing under the name.
/// </summary>
internal sealed class TftpServerTransfer(TftpServerOptions options, ITftpFiles files, ITftpObserver observer, TftpServerStats stats, TimeProvider time)
{
    public const string WritesDisabled = "this server does not accept writes (start it with serve --tftp-write)";

    public void Run(long id, IPAddress localAddress, IPEndPoint peer, TftpRequest request, Action<TftpSession> started, CancellationToken cancellationToken)
    {
        using var socket = new Socket(peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(localAddress, 0));
        SocketBuffers.Apply(socket, TftpTransferOptions.SocketBufferBytes);
        var clock = new MonotonicClock(time);
        var buffer = new byte[TftpCodec.MaxRequestBytes];

        if (Check(request) is { } refusal)
        {
            Refuse(socket, peer, request, refusal, buffer);
            return;
        }
        var acknowledged = new List<KeyValuePair<string, string>>();
        ITftpTransfer transfer;
        TftpSession session;
        ITftpIncomingFile? incoming = null;
        Stream? stream = null;
        try
        {
            if (request.IsWrite)
            {
                long? announced = TftpTransferOptions.ParseInRange(request.Options, "tsize", 0, long.MaxValue);
                if (announced > options.MaxFileSize)
                {
                    Refuse(socket, peer, request, new TftpRefusal(TftpError.DiskFull, "file too large for this server"), buffer);
                    return;
                }
                if (files.TryCreate(request.FileName, announced, out incoming) is { } notCreated)
                {
                    Refuse(socket, peer, request, notCreated, buffer);
                    return;
                }
                var negotiated = TftpServerNegotiation.Negotiate(request, options, 0, acknowledged);
                int first = acknowledged.Count > 0 ? TftpCodec.WriteOptionAck(buffer, acknowledged) : TftpCodec.WriteAck(buffer, 0);
                stream = request.Mode == TftpMode.NetAscii ? new NetAsciiDecoder(incoming!.Stream) : incoming!.Stream;
                var file = incoming;
                transfer = new TftpBlockReceiver(stream, negotiated, options.MaxRetries, options.MaxFileSize, buffer.AsSpan(0, first), clock.NowMicros, linger: true, complete: file.Commit, writeFailed: file.Failed);
                session = new TftpSession(id, peer, request, negotiated, announced, time.GetUtcNow(), clock.NowMicros);
            }
            else
            {
                if (files.TryOpenRead(request.FileName, out stream, out long length) is { } notOpened)
                {
                    Refuse(socket, peer, request, notOpened, buffer);
                    return;
                }
                long size = length;
                if (request.Mode == TftpMode.NetAscii)
                {
                    if (request.Options.ContainsKey("tsize"))
                    {
                        try
                        {
                            size = NetAsciiEncoder.EncodedLength(stream!);
                            stream!.Position = 0;
                        }
                        catch (IOException)
                        {
                            // Read before any block: the client hears why instead of waiting out its timeouts.
                            Refuse(socket, peer, request, new TftpRefusal(TftpError.NotDefined, TftpBlockSender.CannotRead), buffer);
                            return;
                        }
                    }
                    stream = new NetAsciiEncoder(stream!);
                }
                var negotiated = TftpServerNegotiation.Negotiate(request, options, size, acknowledged);
                byte[]? preamble = null;
                if (acknowledged.Count > 0)
                {
                    preamble = buffer.AsSpan(0, TftpCodec.WriteOptionAck(buffer, acknowledged)).ToArray();
                }
                transfer = new TftpBlockSender(stream!, negotiated, options.MaxRetries, preamble);
                session = new TftpSession(id, peer, request, negotiated, size, time.GetUtcNow(), clock.NowMicros);
            }
            session.Attach(transfer);
            started(session);
            observer.SessionStarted(session);
            long begun = Stopwatch.GetTimestamp();
            TftpTransferLoop.Run(socket, peer, transfer, clock, cancellationToken);
            bool ok = transfer.State == TftpTransferState.Completed;
            if (ok)
            {
                stats.CountCompleted();
            }
            else
            {
                incoming?.Discard();
                stats.CountFailed();
            }
            session.End(ok, ok ? "ok" : transfer.Failure, clock.NowMicros);
            observer.SessionEnded(session, Stopwatch.GetElapsedTime(begun).TotalSeconds);
        }
        finally
        {
            // The incoming file first: it owns the file under the stream, and its discard never throws, where
            // closing the stream can (on a full disk the last flush fails) and would skip it.
            incoming?.Discard();
            stream?.Dispose();
        }
    }

    private TftpRefusal? Check(TftpRequest request)
    {
        if (request.IsWrite && !options.AllowWrite)
        {
            return new TftpRefusal(TftpError.AccessViolation, WritesDisabled);
        }
        return null;
    }

    private void Refuse(Socket socket, IPEndPoint peer, TftpRequest request, TftpRefusal refusal, byte[] buffer)
    {
        stats.CountRefused();
        observer.Refused(peer.ToString(), request.FileName, refusal.Message);
        int length = TftpCodec.WriteError(buffer, refusal.Code, refusal.Message);
        try
        {
            socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, peer);
        }
        catch (SocketException)
        {
        }
    }
}
