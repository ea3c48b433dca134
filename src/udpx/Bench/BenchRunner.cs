using System.Diagnostics;
using Udpx.Bench.Peers;
using Udpx.Client;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Server;

namespace Udpx.Bench;

/// <summary>
/// Runs the bench: in-process servers on 127.0.0.1 ephemeral ports, generated files in a temporary
/// folder, every point a number of times with every delivered file checked against its source digest,
/// then the peer tools on the same file. The temporary folder is removed at the end, however it ends.
/// </summary>
internal sealed class BenchRunner : IDisposable
{
    private const long WarmUpSize = 1_000_000;
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(30);

    private readonly BenchOptions _options;
    private readonly Action<string> _progress;
    private readonly string _root;
    private LoopbackServers? _servers;

    public BenchRunner(BenchOptions options, Action<string> progress)
    {
        _options = options;
        _progress = progress;
        _root = Directory.CreateTempSubdirectory("udpx-bench-").FullName;
    }

    /// <summary>Bytes of temporary space the largest point needs: the sources and one received copy of each.</summary>
    public static long SpaceNeeded(BenchOptions options) => options.Sizes.Max() * options.Count * 2;

    public string TemporaryFolder => _root;

    public async Task<BenchResults> RunAsync(CancellationToken cancellationToken)
    {
        _servers = new LoopbackServers(_options.Servers, _root);
        _progress($"servers on {string.Join(", ", _servers.Addresses)}; files in {_root}");
        await WarmUpAsync(cancellationToken).ConfigureAwait(false);

        var points = new List<BenchPointResult>();
        var peers = new List<PeerResult>();
        foreach (long size in _options.Sizes.Distinct())
        {
            var files = Generate(size, _options.Count, cancellationToken);
            foreach (var point in _options.PointsFor(size))
            {
                var samples = new List<BenchSample>();
                for (int run = 1; run <= _options.Repeat; run++)
                {
                    var sample = await RunOnceAsync(point, files, cancellationToken).ConfigureAwait(false);
                    samples.Add(sample);
                    _progress($"{point.Label}, {SizeText.Format(size)} x {point.Count}, datagram {point.DatagramSize}: run {run}/{_options.Repeat}: {Format.Seconds(sample.Seconds)}"
                        + (sample.Verified ? string.Empty : ", FAILED: " + sample.Error));
                }
                points.Add(BenchPointResult.From(point, samples));
            }
            if (_options.Peers && _options.Count == 1)
            {
                var results = new BenchResults(points, peers);
                foreach (var tool in PeerCatalog.All(_options.DatagramSizes))
                {
                    var result = await PeerRunner.RunAsync(tool, files[0], _root, _options.Repeat, _progress, cancellationToken).ConfigureAwait(false);
                    if (result.Status != PeerResult.Ok)
                    {
                        _progress($"{tool.Name}: {result.Status}{(result.Detail is null ? string.Empty : ": " + result.Detail)}");
                    }
                    peers.Add(results.Compare(result, tool.ComparableDatagramSize));
                }
            }
            foreach (var file in files)
            {
                File.Delete(file.Path);
            }
        }
        return new BenchResults(points, peers);
    }

    /// <summary>
    /// One untimed transfer per mode first: the first run of a process otherwise pays for JIT
    /// compilation and cold caches, which is not what any later transfer costs.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var file = Generate(WarmUpSize, 1, cancellationToken, "warm-up");
        foreach (var mode in _options.Modes.Distinct())
        {
            var point = new BenchPoint(mode, BenchPoint.HasWorkers(mode) ? _options.Workers[0] : 0, WarmUpSize, 1, _options.DatagramSizes[0]);
            var sample = await RunOnceAsync(point, file, cancellationToken).ConfigureAwait(false);
            if (!sample.Verified)
            {
                throw new UserError(ExitCodes.TransferFailed, "bench: warm-up transfer under " + mode.Name() + " failed: " + sample.Error);
            }
        }
        File.Delete(file[0].Path);
    }

    private List<TestFile> Generate(long size, int count, CancellationToken cancellationToken, string label = "")
    {
        string folder = Directory.CreateDirectory(Path.Combine(_root, "source")).FullName;
        var files = new List<TestFile>(count);
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            string name = (label.Length > 0 ? label : "bench-" + size) + "-" + (i + 1) + ".bin";
            files.Add(TestFile.Generate(Path.Combine(folder, name), size, seed: i + 1, cancellationToken));
        }
        if (label.Length == 0)
        {
            _progress($"generated {count} file(s) of {SizeText.Format(size)} in {Format.Seconds(Stopwatch.GetElapsedTime(started).TotalSeconds)}");
        }
        return files;
    }

    private async Task<BenchSample> RunOnceAsync(BenchPoint point, List<TestFile> files, CancellationToken cancellationToken)
    {
        var servers = _servers!;
        servers.Empty();
        var sources = files.Select(f => new SourceFile(f.Path, f.Name, f.Size)).ToList();
        var settings = new TransferSettings { DatagramSize = point.DatagramSize };
        int workers = point.Workers > 0 ? point.Workers : Environment.ProcessorCount;

        // Garbage of the previous run should not count as this run's memory.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ResourceUsage usage;
        TransferBatch batch;
        BatchOutcome outcome;
        using (var meter = ResourceMeter.Start(sampleChildren: BenchPoint.StartsProcesses(point.Mode)))
        {
            batch = TransferBatch.Start(sources, servers.Addresses, settings, point.Mode, workers, JobTimeout, cancellationToken);
            outcome = await batch.Completion.ConfigureAwait(false);
            // Both process dispatchers wait for their workers before returning: their CPU time is in ours now.
            usage = meter.Stop();
        }
        cancellationToken.ThrowIfCancellationRequested();

        string? error = null;
        for (int i = 0; i < batch.Transfers.Count && error is null; i++)
        {
            error = Check(batch.Transfers[i], files[i]);
        }
        var results = batch.Transfers.Select(h => h.Result).OfType<TransferResult>().ToList();
        long allocated = results.Count > 0 && results.All(r => r.AllocatedBytes >= 0) ? results.Sum(r => r.AllocatedBytes) : -1;
        servers.Empty();
        return BenchSample.From(outcome.Seconds, usage) with
        {
            Bytes = results.Where(r => r.Verified).Sum(r => r.Bytes),
            Datagrams = results.Sum(r => r.DatagramsSent),
            Retransmitted = results.Sum(r => r.Retransmitted),
            AllocatedBytes = allocated,
            Verified = error is null,
            Error = error,
        };
    }

    /// <summary>Verified by its server, and the stored copy hashes to the source's digest.</summary>
    private string? Check(TransferHandle handle, TestFile file)
    {
        var result = handle.Result;
        if (result is null || !result.Verified)
        {
            return handle.Job.Name + ": " + (result?.Error ?? "no result");
        }
        string received = _servers!.ReceivedPath(handle.Job.Server, handle.Job.Name);
        if (!File.Exists(received) || FileDigest.Compute(received) != file.Digest)
        {
            return handle.Job.Name + ": the stored copy differs from the source";
        }
        return null;
    }

    public void Dispose()
    {
        _servers?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
