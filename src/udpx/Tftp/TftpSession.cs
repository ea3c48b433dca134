using System.Net;

namespace Udpx.Tftp;

/// <summary>One TFTP transfer as the server shows it (headless lines, JSON, TUI). Written by its thread, read by anyone.</summary>
internal sealed class TftpSession(long id, IPEndPoint peer, TftpRequest request, TftpTransferOptions options, long? size, DateTimeOffset started, long startedMicros)
{
    private ITftpTransfer? _transfer;
    private bool _ended;

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

    /// <summary>When it started on the server's monotonic clock (microseconds), as udpx sessions count time.</summary>
    public long StartedMicros { get; } = startedMicros;

    /// <summary>When it ended on the same clock; meaningful once <see cref="Ended"/>.</summary>
    public long EndedMicros { get; private set; }

    public bool Succeeded { get; private set; }

    /// <summary>Read first: once true, <see cref="Succeeded"/>, <see cref="Result"/> and <see cref="EndedMicros"/> are visible.</summary>
    public bool Ended => Volatile.Read(ref _ended);

    public string Result { get; private set; } = string.Empty;

    /// <summary>Bytes delivered so far.</summary>
    public long Bytes => Volatile.Read(ref _transfer)?.Bytes ?? 0;

    public long PacketsSent => Volatile.Read(ref _transfer)?.Counters.PacketsSent ?? 0;

    public long PacketsReceived => Volatile.Read(ref _transfer)?.Counters.PacketsReceived ?? 0;

    public long Retransmitted => Volatile.Read(ref _transfer)?.Counters.Retransmitted ?? 0;

    internal void Attach(ITftpTransfer transfer) => Volatile.Write(ref _transfer, transfer);

    /// <summary>The listener got this session's request again: its first answer was lost (see <see cref="ITftpTransfer.NoteRequestRepeated"/>).</summary>
    internal void NoteRequestRepeated() => Volatile.Read(ref _transfer)?.NoteRequestRepeated();

    internal void End(bool succeeded, string result, long endedMicros)
    {
        Succeeded = succeeded;
        Result = result;
        EndedMicros = endedMicros;
        Volatile.Write(ref _ended, true);
    }
}

/// <summary>What the TFTP listener tells the console, the JSON log and the TUI.</summary>
internal interface ITftpObserver
{
    void SessionStarted(TftpSession session);

    void SessionEnded(TftpSession session, double seconds);

    void Refused(string peer, string name, string reason);
}
