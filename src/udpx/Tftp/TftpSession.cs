using System.Net;

namespace Udpx.Tftp;

/// <summary>One TFTP transfer as the server shows it (headless lines, JSON, TUI). Written by its thread, read by anyone.</summary>
internal sealed class TftpSession(long id, IPEndPoint peer, TftpRequest request, TftpTransferOptions options, long? size, DateTimeOffset started)
{
    private ITftpTransfer? _transfer;

    public long Id { get; } = id;

    public IPEndPoint Peer { get; } = peer;

    public string PeerText { get; } = peer.ToString();

    public string Name => Request.FileName;

    public TftpRequest Request { get; } = request;

    /// <summary>"read" (RRQ: the server sends) or "write" (WRQ: the server receives).</summary>
    public string Direction => Request.IsWrite ? "write" : "read";

    public TftpTransferOptions Options { get; } = options;

    /// <summary>The file's size when known: the file read, or the tsize a writer announced.</summary>
    public long? Size { get; } = size;

    public DateTimeOffset Started { get; } = started;

    public bool Succeeded { get; private set; }

    public bool Ended { get; private set; }

    public string Result { get; private set; } = string.Empty;

    /// <summary>Bytes delivered so far.</summary>
    public long Bytes => Volatile.Read(ref _transfer)?.Bytes ?? 0;

    public long PacketsSent => Volatile.Read(ref _transfer)?.Counters.PacketsSent ?? 0;

    public long PacketsReceived => Volatile.Read(ref _transfer)?.Counters.PacketsReceived ?? 0;

    public long Retransmitted => Volatile.Read(ref _transfer)?.Counters.Retransmitted ?? 0;

    internal void Attach(ITftpTransfer transfer) => Volatile.Write(ref _transfer, transfer);

    internal void End(bool succeeded, string result)
    {
        Succeeded = succeeded;
        Result = result;
        Ended = true;
    }
}

/// <summary>What the TFTP listener tells the console, the JSON log and the TUI.</summary>
internal interface ITftpObserver
{
    void SessionStarted(TftpSession session);

    void SessionEnded(TftpSession session, double seconds);

    void Refused(string peer, string name, string reason);
}
