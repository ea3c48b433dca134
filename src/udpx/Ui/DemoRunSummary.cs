using Udpx.Modes;

namespace Udpx.Ui;

/// <summary>How one run of the demo scenario went, for the table that compares the modes.</summary>
internal sealed record DemoRunSummary(ConcurrencyMode Mode, double Seconds, double BytesPerSecond, long Datagrams, long Retransmitted, bool AllVerified);
