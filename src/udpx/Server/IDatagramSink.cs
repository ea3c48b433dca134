using System.Net;

namespace Udpx.Server;

/// <summary>Where the server protocol puts its replies: a socket, or a simulated network in tests.</summary>
internal interface IDatagramSink
{
    void Send(ReadOnlySpan<byte> datagram, SocketAddress to);
}
