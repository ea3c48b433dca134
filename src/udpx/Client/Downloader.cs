using System.Diagnostics;

namespace Udpx.Client;

/// <summary>
/// Fetches the --url sources over HTTP(S) into a temporary folder before any transfer starts, as the
/// original lab did, and reports each download's size and time.
/// </summary>
internal sealed class Downloader(HttpClient http, string folder)
{
    public async Task<(SourceFile File, double Seconds)> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        string name = NameFor(url);
        string path = Path.Combine(folder, name);
        for (int n = 2; File.Exists(path); n++)
        {
            path = Path.Combine(folder, Path.GetFileNameWithoutExtension(name) + "-" + n + Path.GetExtension(name));
        }
        long started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(url + ": HTTP " + (int)response.StatusCode + " " + response.ReasonPhrase);
        }
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await body.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
        }
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (new SourceFile(path, Path.GetFileName(path), new FileInfo(path).Length), seconds);
    }

    /// <summary>The last path segment, made safe; "download" when the URL has none.</summary>
    public static string NameFor(Uri url)
    {
        string last = Uri.UnescapeDataString(url.AbsolutePath.TrimEnd('/'));
        int slash = last.LastIndexOf('/');
        string name = slash >= 0 ? last[(slash + 1)..] : last;
        var clean = new System.Text.StringBuilder();
        foreach (char c in name)
        {
            clean.Append(char.IsControl(c) || c is '\\' or ':' ? '_' : c);
        }
        string result = clean.ToString().Trim();
        return result.Length == 0 || result is "." or ".." ? "download" : result;
    }
}
