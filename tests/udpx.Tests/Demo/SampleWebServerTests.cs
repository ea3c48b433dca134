using System.Net;
using System.Net.Sockets;
using System.Text;
using Udpx.Demo;
using Udpx.Tests.Support;

namespace Udpx.Tests.Demo;

public sealed class SampleWebServerTests
{
    [Fact]
    public async Task It_serves_its_files_by_name_and_nothing_else()
    {
        byte[] body = Simulation.RandomFile(100_000, 7);
        await using var web = SampleWebServer.Start(new Dictionary<string, byte[]> { ["a b.png"] = body });
        using var http = new HttpClient();

        var ok = await http.GetAsync(web.UrlOf("a b.png"));
        var missing = await http.GetAsync(web.UrlOf("other.png"));
        var outside = await http.GetAsync(new Uri("http://" + web.EndPoint + "/../etc/passwd"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("image/png", ok.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body, await ok.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        Assert.Equal(IPAddress.Loopback, web.EndPoint.Address);
    }

    [Fact]
    public async Task Anything_but_a_GET_is_a_bad_request()
    {
        await using var web = SampleWebServer.Start(new Dictionary<string, byte[]> { ["x.png"] = [1, 2, 3] });
        using var client = new TcpClient();
        await client.ConnectAsync(web.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync("POST /x.png HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.Equal("HTTP/1.1 400 Bad Request", await reader.ReadLineAsync());
    }

    [Fact]
    public async Task The_download_step_fetches_both_samples_by_url_byte_for_byte()
    {
        using var folder = new TempFolder();
        var samples = SampleImages.ReadAll();

        var downloads = await SampleDownload.FetchAllAsync(folder.Path, CancellationToken.None);

        Assert.Equal(SampleImages.Names, downloads.Select(d => d.File.Name));
        foreach (var d in downloads)
        {
            Assert.Equal("http", d.Url.Scheme);
            Assert.Equal("127.0.0.1", d.Url.Host);
            Assert.Equal(samples[d.File.Name], File.ReadAllBytes(d.File.Path));
            Assert.Equal(samples[d.File.Name].Length, d.File.Size);
            Assert.True(d.Seconds > 0);
        }
    }
}
