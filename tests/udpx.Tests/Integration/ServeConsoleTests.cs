using System.Net;
using System.Text;
using Udpx.Cli;
using Udpx.Server;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>
/// What `udpx serve` prints on its console: each session's id on its start line, the way the Wireshark dissector
/// shows udpx.session (so a link capture can be matched with the log), and nothing at all once the terminal UI
/// owns the screen (a GNS3 console showed every session's line written over the TUI).
/// </summary>
public sealed class ServeConsoleTests
{
    [Theory]
    [InlineData(false, "photo.jpg: receiving 1000 B, session 0x00000000c0ffee01")]
    [InlineData(true, "\"session\":\"0x00000000c0ffee01\"")]
    public void The_start_line_names_the_session_in_the_dissector_s_form(bool json, string expected)
    {
        Assert.Contains(expected, Serve(json, silenced: false), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_silenced_console_prints_no_session_line(bool json)
    {
        Assert.Equal(string.Empty, Serve(json, silenced: true));
    }

    private static string Serve(bool json, bool silenced)
    {
        using var folder = new TempFolder();
        var output = new StringWriter();
        var observer = new ServerConsoleObserver(output, json, Verbosity.Datagram);
        if (silenced)
        {
            observer.Silence();
            Assert.False(observer.WantsDatagrams);
        }
        using (var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder.File("out"), new ServerOptions(), observer))
        using (var raw = new RawClient(host.EndPoint))
        {
            raw.Offer(0xc0ffee01, 1000, Encoding.UTF8.GetBytes("photo.jpg"));
            raw.OfferExpectingReject(0xc0ffee02, 1000, Encoding.UTF8.GetBytes(".hidden"));
        }
        return output.ToString();
    }
}
