using System.Net;
using System.Net.Sockets;
using System.Text;
using Udpx.Cli;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Text a peer supplies never reaches a terminal or a log raw: C0/C1 controls (escape sequences that move
/// the cursor, retitle the window, clear the screen) and bidi overrides (a name that reads backwards)
/// are printed escaped, by the server's console output and by the client's.
/// </summary>
public sealed class PeerTextTests
{
    private const string Bidi = "invoice\u202Etxt.exe";
    private const string Terminal = "esc\u001b[2J\u001b]0;owned\u0007x";

    [Theory]
    [InlineData("plain name.bin", "plain name.bin")]
    [InlineData("caf\u00e9 \u65e5\u672c \U0001F600", "caf\u00e9 \u65e5\u672c \U0001F600")]
    [InlineData("a\u001b[31mb", "a\\x1B[31mb")]
    [InlineData("nul\0tab\tlf\ncr\r", "nul\\x00tab\\x09lf\\x0Acr\\x0D")]
    [InlineData("del\u007f c1\u0085\u009b", "del\\x7F c1\\x85\\x9B")]
    [InlineData(Bidi, "invoice\\u{202E}txt.exe")]
    [InlineData("\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069", "\\u{202A}\\u{202B}\\u{202C}\\u{202D}\\u{2066}\\u{2067}\\u{2068}\\u{2069}")]
    [InlineData("\u200E\u200F\u061C", "\\u{200E}\\u{200F}\\u{061C}")]
    [InlineData("line\u2028para\u2029", "line\\u{2028}para\\u{2029}")]
    public void Escape_makes_controls_and_bidi_visible_and_keeps_everything_else(string text, string expected)
    {
        Assert.Equal(expected, SafeText.Escape(text));
        Assert.True(SafeText.IsSafe(SafeText.Escape(text)));
    }

    [Fact]
    public void Escape_shows_an_unpaired_surrogate_and_keeps_a_pair()
    {
        // Built at run time: an attribute argument cannot hold a lone surrogate.
        string lone = "lone" + (char)0xD800 + "x" + (char)0xDC00;
        Assert.Equal("lone\\u{D800}x\\u{DC00}", SafeText.Escape(lone));
        Assert.Equal("pair\U0001F600", SafeText.Escape("pair\U0001F600"));
    }

    [Fact]
    public void Escape_returns_safe_text_itself()
    {
        string text = "nothing to do here.txt";
        Assert.Same(text, SafeText.Escape(text));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_serve_console_observer_prints_a_hostile_name_escaped(bool json)
    {
        using var folder = new TempFolder();
        var output = new StringWriter();
        var observer = new ServerConsoleObserver(output, json, Verbosity.Normal);
        using (var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder.File("out"), new ServerOptions(), observer))
        using (var raw = new RawClient(host.EndPoint))
        {
            // Accepted (a bidi override is a legal file name), so printed in the "receiving" line.
            raw.Offer(0x71, 1000, Encoding.UTF8.GetBytes(Bidi));
            // Refused (controls are not), so printed in the "refused" line.
            Assert.Equal(RejectReason.NameRejected, raw.OfferExpectingReject(0x72, 1000, Encoding.UTF8.GetBytes(Terminal)).Reason);
        }
        string printed = output.ToString();
        AssertNoRawPeerText(printed);
        if (json)
        {
            // The JSON encoder escapes every non-ASCII character and every control.
            Assert.Contains("invoice\\u202Etxt.exe", printed, StringComparison.Ordinal);
            Assert.Contains("esc\\u001B[2J\\u001B]0;owned\\u0007x", printed, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("-> invoice\\u{202E}txt.exe: receiving", printed, StringComparison.Ordinal);
            Assert.Contains("-> esc\\x1B[2J\\x1B]0;owned\\x07x: refused: name rejected: name contains a control character", printed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_tui_session_snapshot_holds_the_name_escaped()
    {
        using var folder = new TempFolder();
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder.File("out"), new ServerOptions());
        using var raw = new RawClient(host.EndPoint);
        raw.Offer(0x73, 1000, Encoding.UTF8.GetBytes(Bidi));
        var snapshot = Udpx.Ui.Models.SessionSnapshot.Of(host.Protocol.Sessions.Single());
        Assert.Equal("invoice\\u{202E}txt.exe", snapshot.Name);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Udpx_send_prints_a_hostile_reject_message_escaped_on_one_line_and_exits_1(bool json)
    {
        using var folder = new TempFolder();
        string source = folder.Write("payload.bin", Simulation.RandomFile(3000, 9));
        using var server = new HostileServer("\u001b[2J\u001b]0;owned\u0007\r\nfake: ok \u202Edetareno\u009b");

        var (exit, stdout, stderr) = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60),
            ["send", source, "--to", server.Address, "--headless", "--connect-timeout", "10", .. json ? (string[])["--json"] : []]);

        Assert.Equal(ExitCodes.TransferFailed, exit);
        AssertNoRawPeerText(stdout + stderr);
        if (json)
        {
            Assert.Contains("\\u001B[2J\\u001B]0;owned\\u0007\\r\\nfake: ok \\u202Edetareno\\u009B", stdout, StringComparison.Ordinal);
        }
        else
        {
            string line = Assert.Single(stdout.Split('\n'), l => l.StartsWith("payload.bin -> ", StringComparison.Ordinal));
            Assert.EndsWith(": FAILED: " + server.Address + ": \\x1B[2J\\x1B]0;owned\\x07\\x0D\\x0Afake: ok \\u{202E}detareno\\x9B", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_send_result_line_escapes_a_name_from_a_url_and_the_server_message()
    {
        var failed = new TransferResult { JobId = 1, Name = Bidi, Server = "10.0.0.1:9000", Error = "10.0.0.1:9000: " + Terminal };

        Assert.Equal(
            "invoice\\u{202E}txt.exe -> 10.0.0.1:9000: FAILED: 10.0.0.1:9000: esc\\x1B[2J\\x1B]0;owned\\x07x",
            SendVerb.Describe(failed));
        Assert.StartsWith("invoice\\u{202E}txt.exe -> 10.0.0.1:9000: ok", SendVerb.Describe(failed with { Verified = true, Error = string.Empty }), StringComparison.Ordinal);
    }

    private static void AssertNoRawPeerText(string printed)
    {
        foreach (char c in printed)
        {
            Assert.False(c is '\u001b' or '\u0007' or '\u009b' or '\u202E' or '\r', "raw U+" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture) + " in output:\n" + printed);
        }
    }

    /// <summary>A fake server on loopback: a cookie for any Hello, then a Reject carrying the given message for any Offer.</summary>
    private sealed class HostileServer : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Thread _thread;

        public HostileServer(string message)
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Address = _socket.LocalEndPoint!.ToString()!;
            _thread = new Thread(() => Serve(message)) { IsBackground = true, Name = "hostile server" };
            _thread.Start();
        }

        public string Address { get; }

        private void Serve(string message)
        {
            byte[] buffer = new byte[Wire.MaxDatagramSize];
            byte[] reply = new byte[Wire.MaxDatagramSize];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            try
            {
                while (true)
                {
                    int n = _socket.ReceiveFrom(buffer, ref from);
                    var datagram = buffer.AsSpan(0, n);
                    int length = 0;
                    if (MessageCodec.TryReadHello(datagram, out var hello))
                    {
                        length = MessageCodec.WriteCookie(reply, new CookieMessage(hello.SessionId, hello.ClientTimeMicros, 1, 2));
                    }
                    else if (MessageCodec.TryReadOffer(datagram, out var offer, out _))
                    {
                        length = MessageCodec.WriteReject(reply, new RejectMessage(offer.SessionId, RejectReason.NameRejected, message));
                    }
                    if (length > 0)
                    {
                        _socket.SendTo(reply.AsSpan(0, length), from);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }
}
