namespace Udpx.Bench.Peers;

/// <summary>A peer tool that did not deliver: reported in its table row, never an error of udpx.</summary>
internal sealed class PeerFailure(string message) : Exception(message);
