using Udpx.Engine;

namespace Udpx.Client;

/// <summary>
/// Which file goes to which server: file i to server i mod n, as the original lab did, or with
/// <c>each</c> every file to every server, or with <c>groupTogether</c> every file of one command-line
/// argument (a folder) to the same server: argument i to server i mod n.
/// </summary>
internal static class SendPlan
{
    public static IReadOnlyList<TransferJob> Assign(IReadOnlyList<SourceFile> files, IReadOnlyList<string> servers, bool each, TransferSettings settings, bool groupTogether = false)
    {
        if (servers.Count == 0)
        {
            throw new ArgumentException("no server given: add --to HOST:PORT");
        }
        var jobs = new List<TransferJob>();
        for (int i = 0; i < files.Count; i++)
        {
            if (each)
            {
                foreach (string server in servers)
                {
                    jobs.Add(new TransferJob(jobs.Count + 1, files[i].Path, files[i].Name, server, settings));
                }
            }
            else
            {
                int slot = groupTogether ? files[i].Group : i;
                jobs.Add(new TransferJob(jobs.Count + 1, files[i].Path, files[i].Name, servers[slot % servers.Count], settings));
            }
        }
        return jobs;
    }
}

/// <summary>
/// A local file to send and the name it gets on the server: its path relative to the folder it was
/// found in ("sub/file"), or its file name. <paramref name="Group"/> is the command-line argument it came from.
/// </summary>
internal sealed record SourceFile(string Path, string Name, long Size, int Group = 0);
