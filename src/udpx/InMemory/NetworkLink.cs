using System.Net;
using Udpx.Engine;
using Udpx.Server;

namespace Udpx.InMemory;

/// <summary>One sender talking to one server on an <see cref="InMemoryNetwork"/>, from a client address of its own.</summary>
internal sealed class NetworkLink(SenderProtocol sender, ServerProtocol server, SocketAddress address)
{
    public SenderProtocol Sender { get; set; } = sender;

    public ServerProtocol Server { get; set; } = server;

    public SocketAddress Address { get; } = address;

    /// <summary>Hears every datagram the sender writes, before the path decides its fate (the preview's stream ring).</summary>
    public Action<ReadOnlySpan<byte>, long>? Sent { get; init; }
}
