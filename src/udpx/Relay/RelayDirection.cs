namespace Udpx.Relay;

/// <summary>Which way a datagram travels through the relay.</summary>
internal enum RelayDirection
{
    ClientToServer = 0,
    ServerToClient = 1,
}
