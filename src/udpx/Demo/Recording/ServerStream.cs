namespace Udpx.Demo.Recording;

/// <summary>The start of what one server received in a run, and how many datagrams it received in all.</summary>
internal sealed record ServerStream(int Server, string EndPoint, IReadOnlyList<StreamLine> Lines, long Total);
