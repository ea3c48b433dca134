namespace Udpx.Demo.Recording;

/// <summary>
/// One datagram as a server received it, the way the original lab servers printed each one: when (ms since
/// the server's first datagram of the run), from whom, for which file, chunk, bytes so far, length, first bytes in hex.
/// </summary>
internal sealed record StreamLine(double Millis, string From, string File, ulong Chunk, long BytesSoFar, int Length, string FirstBytes);
