using Udpx.Net;
using Udpx.Server;

namespace Udpx.Ui;

/// <summary>One of the demo's servers: a name for its pane, its protocol, and the ring of datagrams it received.</summary>
internal sealed record DemoServer(string Name, ServerProtocol Server, DatagramRing Stream);
