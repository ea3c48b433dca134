using Udpx.Common;

namespace Udpx.Bench.Peers;

/// <summary>Runs a peer tool on one file a number of times, checking every delivered copy against the source digest.</summary>
internal static class PeerRunner
{
    public static async Task<PeerResult> RunAsync(PeerTool tool, TestFile file, string workRoot, int repeats, Action<string> progress, CancellationToken cancellationToken)
    {
        var programs = tool.Locate(out string? missing);
        if (programs is null)
        {
            return new PeerResult(tool.Name, tool.Settings, file.Size, PeerResult.NotInstalled, missing + " not found on PATH", []);
        }
        string receive = Path.Combine(workRoot, "peer");
        var context = new PeerContext(file.Path, file.Size, receive, programs);
        var samples = new List<BenchSample>();
        var failures = new List<string>();
        for (int run = 1; run <= repeats; run++)
        {
            ResetFolder(receive);
            context.Unreaped.Take();
            string? problem;
            PeerTransfer transfer = default;
            ResourceUsage usage;
            using (var meter = ResourceMeter.Start(sampleChildren: true))
            {
                try
                {
                    transfer = await tool.TransferAsync(context, cancellationToken).ConfigureAwait(false);
                    problem = null;
                }
                catch (PeerFailure ex)
                {
                    problem = ex.Message;
                }
                // Every process of the tool has been waited for by now: their CPU time is in ours.
                usage = meter.Stop();
            }
            problem ??= Check(transfer, file);
            if (problem is not null)
            {
                failures.Add(problem);
                progress($"{tool.Name}, {SizeText.Format(file.Size)}, run {run}/{repeats}: FAILED: {problem}");
                continue;
            }
            // The tool's own processes only: ours merely waited.
            var sample = BenchSample.From(transfer.Seconds, usage with { SelfCpuSeconds = 0, ChildrenCpuSeconds = usage.ChildrenCpuSeconds + context.Unreaped.Take() }) with { Bytes = transfer.Bytes, Verified = true, Note = transfer.Note };
            samples.Add(sample);
            progress($"{tool.Name}, {SizeText.Format(file.Size)}, run {run}/{repeats}: {Format.Seconds(sample.Seconds)}, {Format.Rate(sample.Bytes / Math.Max(sample.Seconds, 1e-9))}{(sample.Note is null ? string.Empty : ", " + sample.Note)}");
        }
        ResetFolder(receive);
        if (samples.Count == 0)
        {
            return new PeerResult(tool.Name, tool.Settings, file.Size, PeerResult.Failed, failures[0], samples);
        }
        // Runs that failed are reported, not hidden; the figures are those of the runs that delivered.
        string? detail = failures.Count == 0 ? null : $"{failures.Count} of {repeats} runs failed: {failures[0]}";
        return new PeerResult(tool.Name, tool.Settings, file.Size, PeerResult.Ok, detail, samples);
    }

    private static string? Check(PeerTransfer transfer, TestFile file)
    {
        if (transfer.ReceivedPath is null)
        {
            return null;
        }
        var received = new FileInfo(transfer.ReceivedPath);
        if (!received.Exists)
        {
            return "no file arrived";
        }
        if (received.Length != file.Size)
        {
            return "the delivered file has " + received.Length + " bytes, not " + file.Size;
        }
        return FileDigest.Compute(received.FullName) == file.Digest ? null : "the delivered file differs from the source (XxHash128)";
    }

    private static void ResetFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder);
    }
}
