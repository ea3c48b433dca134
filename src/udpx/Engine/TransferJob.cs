using System.Text.Json.Serialization;
using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>One file to one server: what any of the four modes is asked to do.</summary>
internal sealed record TransferJob(int Id, string Path, string Name, string Server, TransferSettings Settings);

/// <summary>
/// Per-transfer knobs from the command line: the sender's own (<see cref="SenderOptions"/>: timeouts, rate cap,
/// key) and what only the dispatch needs, the datagram size and, for a TFTP transfer, its options.
/// </summary>
internal sealed record TransferSettings : SenderOptions
{
    public int DatagramSize { get; init; } = Wire.EthernetDatagramSize;

    /// <summary>Set for a TFTP transfer (send --tftp, get --tftp); null for udpx's own protocol.</summary>
    public TftpTransferSettings? Tftp { get; init; }

    /// <summary>
    /// The window a path's controller starts from when this transfer is the one that creates it (a process
    /// mode's warm start, handed down from the last transfer on the path); 0: the controller's own initial window.
    /// </summary>
    public int InitialWindow { get; init; }
}

/// <summary>How one transfer ended, with its figures.</summary>
internal sealed record TransferResult
{
    public required int JobId { get; init; }

    public required string Name { get; init; }

    public required string Server { get; init; }

    public long Bytes { get; init; }

    /// <summary>True only when the server verified the digest and stored the file under its name.</summary>
    public bool Verified { get; init; }

    public string Error { get; init; } = string.Empty;

    public double Seconds { get; init; }

    public long DatagramsSent { get; init; }

    public long Retransmitted { get; init; }

    public long RttMicros { get; init; }

    /// <summary>The path controller's window (datagrams) when the transfer ended; 0 when none was used.</summary>
    public int PathWindow { get; init; }

    /// <summary>Bytes the server already held from an earlier, cut transfer of this file: not sent again.</summary>
    public long ResumedBytes { get; init; }

    /// <summary>Bytes the transfer's own thread allocated while sending (blocking driver; -1 when not measured).</summary>
    public long AllocatedBytes { get; init; } = -1;

    /// <summary>The session id on the wire, as a capture shows it (udpx.session); 0 when no session was opened.</summary>
    public ulong SessionId { get; init; }

    /// <summary>
    /// It failed writing on this machine (get --tftp: a full disk, a folder that refused the file), which is exit
    /// code 3 and not 1; written only when set, so the JSON of every other result is as it was.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool LocalWriteFailed { get; init; }

    /// <summary>Process that ran it (worker processes differ from the parent).</summary>
    public int ProcessId { get; init; }

    public double ThroughputBytesPerSecond => Seconds > 0 ? Bytes / Seconds : 0;
}
