using Udpx.Engine;

namespace Udpx.Client;

/// <summary>How a <see cref="TransferBatch"/> ended: a result per transfer, in job order, and the seconds the dispatch took.</summary>
internal sealed record BatchOutcome(IReadOnlyList<TransferResult> Results, double Seconds)
{
    public bool AllVerified => Results.All(r => r.Verified);

    /// <summary>Bytes of the verified transfers.</summary>
    public long VerifiedBytes => Results.Where(r => r.Verified).Sum(r => r.Bytes);
}
