namespace Udpx.Engine;

/// <summary>Where a sender is in its transfer.</summary>
internal enum SenderPhase
{
    Connecting,
    Offering,
    Sending,
    Finishing,
    Done,
    Failed,
}
