using System.Net.Sockets;
using Udpx.Net;

namespace Udpx.Tests.Engine;

public sealed class SocketBuffersTests
{
    [Theory]
    [InlineData(1 << 20)]
    [InlineData(64 << 20)]
    public void Either_the_buffers_are_granted_or_the_caller_gets_a_warning_naming_the_limit(int bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        string? warning = SocketBuffers.Apply(socket, bytes);
        if (warning is null)
        {
            Assert.True(socket.ReceiveBufferSize / 2 >= bytes && socket.SendBufferSize / 2 >= bytes, "granted less without a warning");
        }
        else
        {
            Assert.Contains("net.core.rmem_max", warning, StringComparison.Ordinal);
            Assert.True(socket.ReceiveBufferSize / 2 < bytes || socket.SendBufferSize / 2 < bytes, "warned though granted");
        }
    }
}
