using System.Net;
using Udpx.Client;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Server;

namespace Udpx.Demo;

/// <summary>
/// The original lab on one machine: two servers on 127.0.0.1 ephemeral ports storing into temporary
/// folders, the two sample images, image i to server i, under a mode; every received file is then
/// compared byte for byte with what was sent.
/// </summary>
internal sealed class DemoScenario : IDisposable
{
    private readonly string _root;
    private readonly IReadOnlyList<SourceFile> _files;
    private readonly LoopbackServers _servers;

    public DemoScenario(int servers = 2, IReadOnlyList<string>? files = null)
    {
        _root = Directory.CreateTempSubdirectory("udpx-demo-").FullName;
        string source = Directory.CreateDirectory(Path.Combine(_root, "source")).FullName;
        var paths = files ?? SampleImages.ExtractTo(source);
        _files = [.. paths.Select(p => new SourceFile(p, Path.GetFileName(p), new FileInfo(p).Length))];
        // Every mode sends the same files to the same servers: each run replaces the one before.
        _servers = new LoopbackServers(servers, _root);
        Targets = [.. _servers.Hosts.Select(h => h.EndPoint)];
    }

    public IReadOnlyList<ServerHost> Servers => _servers.Hosts;

    /// <summary>Where the client sends, server by server: the servers themselves, or relays in front of them (demo --loss).</summary>
    public IReadOnlyList<IPEndPoint> Targets { get; set; }

    public IReadOnlyList<SourceFile> Files => _files;

    /// <summary>The transfers of the last run, live while it runs.</summary>
    public IReadOnlyList<TransferHandle> Current { get; private set; } = [];

    public Task<DemoRun> RunAsync(ConcurrencyMode mode, int workers, TransferSettings settings, CancellationToken cancellationToken) =>
        Start(mode, workers, settings, cancellationToken).Completion;

    /// <summary>Starts a run; the handles are live at once, the task completes with the checked result.</summary>
    public (IReadOnlyList<TransferHandle> Transfers, int Workers, Task<DemoRun> Completion) Start(ConcurrencyMode mode, int workers, TransferSettings settings, CancellationToken cancellationToken)
    {
        _servers.Empty();
        var batch = TransferBatch.Start(_files, [.. Targets.Select(t => t.ToString())], settings, mode, workers, TimeSpan.FromMinutes(5), cancellationToken);
        Current = batch.Transfers;
        return (batch.Transfers, batch.Workers, CheckAsync(batch));
    }

    private async Task<DemoRun> CheckAsync(TransferBatch batch)
    {
        var outcome = await batch.Completion.ConfigureAwait(false);
        var checks = new List<FileCheck>();
        foreach (var handle in batch.Transfers)
        {
            string received = ReceivedPath(handle.Job.Server, handle.Job.Name);
            bool identical = File.Exists(received) && FilesEqual(handle.Job.Path, received);
            checks.Add(new FileCheck(handle.Job.Name, handle.Job.Server, handle.Result?.Verified == true, identical, handle.Result?.Error ?? "no result"));
        }
        return new DemoRun(batch.Mode, batch.Workers, outcome.Seconds, outcome.Results, checks);
    }

    /// <summary>Where the server behind <paramref name="target"/> (itself, or its relay) stores <paramref name="name"/>.</summary>
    private string ReceivedPath(string target, string name)
    {
        for (int i = 0; i < Targets.Count; i++)
        {
            if (Targets[i].ToString() == target)
            {
                return _servers.ReceivedPath(_servers.Addresses[i], name);
            }
        }
        throw new ArgumentException("no demo server behind " + target, nameof(target));
    }

    private static bool FilesEqual(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (fa.Length != fb.Length)
        {
            return false;
        }
        using var sa = fa.OpenRead();
        using var sb = fb.OpenRead();
        byte[] ba = new byte[1 << 16];
        byte[] bb = new byte[1 << 16];
        int n;
        while ((n = sa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false)) > 0)
        {
            if (sb.ReadAtLeast(bb, n, throwOnEndOfStream: false) != n || !ba.AsSpan(0, n).SequenceEqual(bb.AsSpan(0, n)))
            {
                return false;
            }
        }
        return true;
    }

    public void Dispose()
    {
        _servers.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One run of the scenario under one mode.</summary>
internal sealed record DemoRun(ConcurrencyMode Mode, int Workers, double Seconds, IReadOnlyList<TransferResult> Results, IReadOnlyList<FileCheck> Checks)
{
    public bool AllIdentical => Checks.All(c => c.Verified && c.Identical);

    public long Bytes => Results.Sum(r => r.Bytes);

    public long Datagrams => Results.Sum(r => r.DatagramsSent);

    public long Retransmitted => Results.Sum(r => r.Retransmitted);
}

/// <summary>A received file compared with its source.</summary>
internal sealed record FileCheck(string Name, string Server, bool Verified, bool Identical, string Error);
