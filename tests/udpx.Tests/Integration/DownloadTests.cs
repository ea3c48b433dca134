using System.Net;
using System.Text.Json;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>`udpx send --url`: download over HTTP first, then send; a failed download is one line and exit code 3.</summary>
public sealed class DownloadTests
{
    [Fact]
    public async Task Urls_are_downloaded_then_sent_and_reported()
    {
        byte[] image = Simulation.RandomFile(150_000, 9);
        using var http = new HttpListener();
        int port = FreeTcpPort();
        http.Prefixes.Add("http://127.0.0.1:" + port + "/");
        http.Start();
        var serving = Task.Run(async () =>
        {
            while (http.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await http.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                if (context.Request.Url!.AbsolutePath == "/images/cat.png")
                {
                    context.Response.ContentLength64 = image.Length;
                    await context.Response.OutputStream.WriteAsync(image);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
                context.Response.Close();
            }
        });
        using var servers = new LoopbackServers(count: 1);

        var (code, output, err) = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60), "send", "--url", "http://127.0.0.1:" + port + "/images/cat.png", "--to", servers.Addresses[0], "--json");

        Assert.True(code == 0, err);
        using var report = JsonDocument.Parse(output);
        var download = report.RootElement.GetProperty("downloads")[0];
        Assert.Equal(150_000, download.GetProperty("bytes").GetInt64());
        Assert.Equal("cat.png", download.GetProperty("file").GetString());
        Assert.Equal(image, File.ReadAllBytes(servers.ReceivedPath(0, "cat.png")));

        var (missingCode, _, missingErr) = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60), "send", "--url", "http://127.0.0.1:" + port + "/nothing.png", "--to", servers.Addresses[0]);
        Assert.Equal(3, missingCode);
        Assert.Contains("404", missingErr, StringComparison.Ordinal);
        Assert.Single(missingErr.Trim().Split('\n'));

        http.Stop();
        await serving;
    }

    private static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
