using Udpx.Client;

namespace Udpx.Demo;

/// <summary>One sample image fetched by URL before the transfers, as the original lab's client did.</summary>
internal sealed record SampleDownload(Uri Url, SourceFile File, double Seconds)
{
    /// <summary>
    /// Serves the embedded samples from a loopback web server and downloads each by URL into
    /// <paramref name="folder"/> with the client's own downloader; the server is gone when this returns.
    /// </summary>
    public static async Task<IReadOnlyList<SampleDownload>> FetchAllAsync(string folder, CancellationToken cancellationToken)
    {
        await using var web = SampleWebServer.Start(SampleImages.ReadAll());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var downloader = new Downloader(http, folder);
        var downloads = new List<SampleDownload>(SampleImages.Names.Length);
        foreach (string name in SampleImages.Names)
        {
            var url = web.UrlOf(name);
            var (file, seconds) = await downloader.DownloadAsync(url, cancellationToken).ConfigureAwait(false);
            downloads.Add(new SampleDownload(url, file, seconds));
        }
        return downloads;
    }
}
