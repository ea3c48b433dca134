namespace Udpx.Demo.Recording;

/// <summary>How one transfer of a run went over time: the file, the server it went to (by number, from 1), and its points.</summary>
internal sealed record TransferTimeline(string Name, int Server, IReadOnlyList<TimelinePoint> Points);
