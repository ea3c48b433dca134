using Udpx.Engine;

namespace Udpx.Ui.Models;

/// <summary>One transfer as the send screen shows it, in figures.</summary>
internal readonly record struct TransferRow(
    string Name,
    double Percent,
    double BytesPerSecond,
    long DatagramsSent,
    long BytesAcked,
    long FileSize,
    long Retransmitted,
    long RttMicros,
    TransferPhase Phase,
    TransferResult? Result)
{
    public bool IsFinished => Result is not null;

    public string StatusText => Result switch
    {
        { Verified: true } => "ok",
        not null => "failed",
        _ => Phase switch
        {
            TransferPhase.Pending => "queued",
            TransferPhase.Connecting => "connect",
            TransferPhase.Offering => "offer",
            TransferPhase.Sending => "send",
            TransferPhase.Finishing => "finish",
            TransferPhase.Done => "done",
            TransferPhase.Failed => "failed",
            _ => Phase.ToString(),
        },
    };
}
