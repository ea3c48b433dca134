using Udpx.Common;

namespace Udpx.Client;

/// <summary>
/// The --url sources fetched into a temporary folder of their own before any transfer starts, as the original
/// lab did; disposing removes the folder and everything in it.
/// </summary>
internal sealed class DownloadFolder : IDisposable
{
    private readonly string? _path;
    private readonly List<SourceFile> _files = [];

    private DownloadFolder(string? path) => _path = path;

    public IReadOnlyList<SourceFile> Files => _files;

    /// <summary>Downloads every URL in turn; <paramref name="downloaded"/> hears each one's file and seconds. A failure is a <see cref="UserError"/> (exit code 3).</summary>
    public static async Task<DownloadFolder> FetchAsync(IReadOnlyList<Uri> urls, Action<Uri, SourceFile, double> downloaded, CancellationToken cancellationToken)
    {
        var folder = new DownloadFolder(urls.Count == 0 ? null : Directory.CreateTempSubdirectory("udpx-downloads-").FullName);
        if (folder._path is null)
        {
            return folder;
        }
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            var downloader = new Downloader(http, folder._path);
            foreach (var url in urls)
            {
                try
                {
                    var (file, seconds) = await downloader.DownloadAsync(url, cancellationToken).ConfigureAwait(false);
                    folder._files.Add(file);
                    downloaded(url, file, seconds);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    throw new UserError(ExitCodes.InputError, "download of " + url + " failed: " + ex.Message);
                }
            }
            return folder;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_path is null)
        {
            return;
        }
        try
        {
            Directory.Delete(_path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
