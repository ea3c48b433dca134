using System.Net;
using System.Net.Sockets;
using Udpx.Engine;
using Udpx.Net;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>
/// `--to localhost:P` reaches a server bound to either loopback: the client tries each address in turn, as
/// curl does, instead of only the first one resolved (IPv4), which a server on [::1] refuses.
/// </summary>
public sealed class LocalhostAddressTests
{
    [Fact]
    public async Task Udpx_send_to_localhost_reaches_a_server_bound_to_the_IPv6_loopback()
    {
        using var folder = new TempFolder();
        string source = folder.Write("photo.jpg", Simulation.RandomFile(300_000, 5));
        // A port free on 127.0.0.1 too, so that the probe's IPv4 Hello is refused: a port the kernel picked for
        // [::1] alone may be another test's server on 127.0.0.1 (the families number their ports apart),
        // which would answer first and take the file.
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.IPv6Loopback, FreePortOnBothLoopbacks()), folder.File("out"), new ServerOptions());

        var (exit, stdout, stderr) = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60),
            ["send", source, "--to", "localhost:" + host.EndPoint.Port, "--headless", "--connect-timeout", "10"]);

        Assert.True(exit == 0, stdout + stderr);
        Assert.Matches(@"photo\.jpg -> localhost:\d+: ok, .*, session 0x[0-9a-f]{16}\n", stdout.ReplaceLineEndings("\n"));
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(Path.Combine(host.Store.Directory, "photo.jpg")));
    }

    [Fact]
    public void Localhost_resolves_to_both_loopbacks_IPv4_first_and_a_literal_to_itself()
    {
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 9000), new IPEndPoint(IPAddress.IPv6Loopback, 9000)], ServerAddress.ResolveAll("localhost:9000"));
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 9000), new IPEndPoint(IPAddress.IPv6Loopback, 9000)], ServerAddress.ResolveAll("lab.localhost.:9000"));
        Assert.Equal([new IPEndPoint(IPAddress.IPv6Loopback, 7)], ServerAddress.ResolveAll("[::1]:7"));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9000), ServerAddress.Resolve("localhost:9000"));
    }

    [Theory]
    [InlineData(false, true, 1)]  // only [::1] listens: the refused 127.0.0.1 is passed over
    [InlineData(true, false, 0)]  // only 127.0.0.1 listens
    [InlineData(true, true, 0)]   // both: the first in order
    [InlineData(false, false, 0)] // neither: the first, whose transfer then fails as before
    public void The_probe_picks_the_first_address_whose_server_answers(bool v4, bool v6, int expected)
    {
        using var folder = new TempFolder();
        int port = FreePortOnBothLoopbacks();
        using var v4Host = v4 ? ServerHost.Start(new IPEndPoint(IPAddress.Loopback, port), folder.File("v4"), new ServerOptions()) : null;
        using var v6Host = v6 ? ServerHost.Start(new IPEndPoint(IPAddress.IPv6Loopback, port), folder.File("v6"), new ServerOptions()) : null;
        IPEndPoint[] candidates = [new(IPAddress.Loopback, port), new(IPAddress.IPv6Loopback, port)];

        Assert.Equal(candidates[expected], ServerAddressProbe.Choose(candidates, TimeSpan.FromSeconds(5)));
    }

    /// <summary>A UDP port free on 127.0.0.1 and on [::1] alike.</summary>
    private static int FreePortOnBothLoopbacks()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            v4.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)v4.LocalEndPoint!).Port;
            using var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                v6.Bind(new IPEndPoint(IPAddress.IPv6Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }
}
