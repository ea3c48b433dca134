using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Udpx.Common;
using Udpx.Relay;

namespace Udpx.Tests.Relay;

public sealed partial class RelayRunnerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Runs_reports_counters_when_asked_and_stops_on_cancellation()
    {
        using var server = new UdpEchoServer();
        var clock = new ManualTimeProvider();
        var output = new StringWriter();
        var error = new StringWriter();
        var options = RelayFlags.Parse("127.0.0.1:0", server.EndPoint.ToString(), loss: "0", seed: "7", stats: "5");
        using var stop = new CancellationTokenSource();

        var run = RelayRunner.RunAsync(options, TextWriter.Synchronized(output), error, clock, stop.Token);

        var port = await WaitForPort(output);
        Assert.Contains(Invariant($", forwarding to {server.EndPoint}, seed 7"), Text(output), StringComparison.Ordinal);
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            client.ReceiveTimeout = (int)Patience.TotalMilliseconds;
            client.Connect(new IPEndPoint(IPAddress.Loopback, port));
            client.Send([1, 2, 3]);
            var reply = new byte[16];
            Assert.Equal(3, client.Receive(reply));
        }

        clock.Advance(TimeSpan.FromSeconds(5));
        await WaitUntil(() => Text(output).Contains("udpx relay: counters: 1 clients", StringComparison.Ordinal));

        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(Patience));
        var text = Text(output);
        Assert.Contains("udpx relay: stopped: 0 clients", text, StringComparison.Ordinal);
        Assert.Contains("  client->server: received 1, forwarded 1 (3 B), dropped 0", text, StringComparison.Ordinal);
        Assert.Contains("  server->client: received 1, forwarded 1 (3 B), dropped 0", text, StringComparison.Ordinal);
        Assert.Equal(string.Empty, error.ToString());
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_and_exit_code_4()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var taken = (IPEndPoint)holder.LocalEndPoint!;
        var output = new StringWriter();
        var error = new StringWriter();
        var options = RelayFlags.Parse(taken.ToString(), "127.0.0.1:9");

        var code = await RelayRunner.RunAsync(options, output, error, TimeProvider.System, CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(ExitCodes.NetworkError, code);
        Assert.Equal(
            Invariant($"udpx relay: cannot listen on {taken}: the port is in use; choose another port or stop the program holding it") + Environment.NewLine,
            error.ToString());
        Assert.Equal(string.Empty, output.ToString());
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static string Text(StringWriter output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task<int> WaitForPort(StringWriter output)
    {
        Match? match = null;
        await WaitUntil(() => (match = ListeningLine().Match(Text(output))).Success);
        return int.Parse(match!.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the relay command");
            await Task.Delay(5);
        }
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
