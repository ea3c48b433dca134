using System.Collections.Concurrent;
using System.Net;
using Udpx.Server;
using Udpx.Tests.Support;
using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>udpx's TFTP listener in this process on 127.0.0.1 port 0, writes enabled, over a folder of its own.</summary>
internal sealed class TftpFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public TftpFixture(bool allowWrite = true, bool overwrite = false, TftpServerOptions? options = null, DiskReserve? minFree = null, Func<string, FileStreamOptions, Stream>? openTemporary = null)
    {
        Directory.CreateDirectory(Share);
        Directory.CreateDirectory(Out);
        Observer = new RecordingTftpObserver();
        var files = new TftpFolder(Share, new DirectoryFileStore(Out, overwrite: overwrite), minFree, openTemporary);
        Server = TftpServer.Start(new IPEndPoint(IPAddress.Loopback, 0), (options ?? new TftpServerOptions()) with { AllowWrite = allowWrite }, files, Observer);
    }

    public string Share => _folder.File("share");

    public string Out => _folder.File("out");

    public string Scratch => _folder.Path;

    public TftpServer Server { get; }

    public int Port => Server.LocalEndPoint.Port;

    public RecordingTftpObserver Observer { get; }

    public string Shared(string name, byte[] bytes)
    {
        string path = Path.Combine(Share, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        Server.Dispose();
        _folder.Dispose();
    }
}

/// <summary>Everything the listener reported, for the assertions.</summary>
internal sealed class RecordingTftpObserver : ITftpObserver
{
    public ConcurrentQueue<TftpSession> Started { get; } = new();

    public ConcurrentQueue<TftpSession> Ended { get; } = new();

    public ConcurrentQueue<string> Refusals { get; } = new();

    public void SessionStarted(TftpSession session) => Started.Enqueue(session);

    public void SessionEnded(TftpSession session, double seconds) => Ended.Enqueue(session);

    public void Refused(string peer, string name, string reason) => Refusals.Enqueue(name + ": " + reason);

    /// <summary>Waits for a write to end on the server (it lingers a moment after the last ACK) and returns it.</summary>
    public TftpSession WaitForEnd(string name, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (Ended.FirstOrDefault(s => s.Name == name) is { } s)
            {
                return s;
            }
            Thread.Sleep(10);
        }
        throw new TimeoutException("the server did not end the transfer of " + name + " within " + limit);
    }
}
