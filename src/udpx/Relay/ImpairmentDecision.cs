namespace Udpx.Relay;

/// <summary>What happens to one datagram, as drawn by <see cref="ImpairmentModel.Decide"/>.</summary>
internal readonly record struct ImpairmentDecision(bool Drop, bool Duplicate, bool Reorder, bool Corrupt, TimeSpan Delay)
{
    /// <summary>How many copies go out if the datagram is not dropped.</summary>
    public int Copies => Duplicate ? 2 : 1;
}
