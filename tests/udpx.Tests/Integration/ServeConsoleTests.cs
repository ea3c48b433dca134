using System.Net;
using System.Text;
using Udpx.Cli;
using Udpx.Server;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Gns3;

/// <summary>
/// `udpx serve` names each session on its start line the way the Wireshark dissector shows udpx.session,
/// so a link capture can be matched with the servers' logs (gns3/gns3-ci.sh does).
/// </summary>
public sealed class ServerLogSessionTests
{
    [Theory]
    [InlineData(false, "photo.jpg: receiving 1000 B, session 0x00000000c0ffee01")]
    [InlineData(true, "\"session\":\"0x00000000c0ffee01\"")]
    public void The_start_line_names_the_session_in_the_dissector_s_form(bool json, string expected)
    {
        using var folder = new TempFolder();
        var output = new StringWriter();
        var observer = new ServerConsoleObserver(output, json, Verbosity.Normal);
        using (var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder.File("out"), new ServerOptions(), observer))
        using (var raw = new RawClient(host.EndPoint))
        {
            raw.Offer(0xc0ffee01, 1000, Encoding.UTF8.GetBytes("photo.jpg"));
        }
        Assert.Contains(expected, output.ToString(), StringComparison.Ordinal);
    }
}
