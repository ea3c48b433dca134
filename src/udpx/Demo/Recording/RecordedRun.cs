namespace Udpx.Demo.Recording;

/// <summary>A run of the demo with what was recorded while it went: the timelines of its transfers and each server's stream.</summary>
internal sealed record RecordedRun(DemoRun Run, IReadOnlyList<TransferTimeline> Timelines, IReadOnlyList<ServerStream> Streams, long RelayDropped);
