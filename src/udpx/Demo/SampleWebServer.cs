using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Udpx.Demo;

/// <summary>
/// The web server of the original lab, inside the demo: HTTP/1.1 GET of the sample images on 127.0.0.1, a
/// port picked by the system, one request per connection. It serves nothing but the files it was given.
/// </summary>
internal sealed class SampleWebServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 8192;
    private readonly TcpListener _listener;
    private readonly IReadOnlyDictionary<string, byte[]> _files;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private SampleWebServer(IReadOnlyDictionary<string, byte[]> files)
    {
        _files = files;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Starts serving each of <paramref name="files"/> (name to content) at /name.</summary>
    public static SampleWebServer Start(IReadOnlyDictionary<string, byte[]> files) => new(files);

    public Uri UrlOf(string name) => new("http://" + EndPoint + "/" + Uri.EscapeDataString(name));

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(client, cancellationToken);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string? path = await ReadRequestPathAsync(stream, cancellationToken).ConfigureAwait(false);
                string name = path is null ? string.Empty : Uri.UnescapeDataString(path.TrimStart('/'));
                if (path is not null && _files.TryGetValue(name, out byte[]? body))
                {
                    await WriteAsync(stream, "200 OK", ContentType(name), body, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WriteAsync(stream, path is null ? "400 Bad Request" : "404 Not Found", "text/plain", "not here\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away: nothing to tell anyone.
            }
        }
    }

    /// <summary>The path of a "GET /path HTTP/1.x" request once its headers have arrived; null for anything else.</summary>
    private static async Task<string?> ReadRequestPathAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxRequestBytes];
        int length = 0;
        while (length < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }
            length += n;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                string requestLine = Encoding.ASCII.GetString(buffer, 0, buffer.AsSpan(0, length).IndexOf("\r\n"u8));
                string[] parts = requestLine.Split(' ');
                return parts.Length == 3 && parts[0] == "GET" && parts[1].StartsWith('/') && parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) ? parts[1] : null;
            }
        }
        return null;
    }

    private static async Task WriteAsync(NetworkStream stream, string status, string contentType, byte[] body, CancellationToken cancellationToken)
    {
        string head = "HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    private static string ContentType(string name) =>
        name.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "image/png" : "application/octet-stream";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
