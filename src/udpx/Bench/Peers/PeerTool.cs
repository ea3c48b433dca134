namespace Udpx.Bench.Peers;

/// <summary>Where a peer tool runs: the file to send and a fresh folder to receive it in.</summary>
/// <param name="Programs">Full paths of <see cref="PeerTool.Programs"/>, by name.</param>
internal sealed record PeerContext(string SourcePath, long Size, string ReceiveDirectory, IReadOnlyDictionary<string, string> Programs)
{
    public string Name => Path.GetFileName(SourcePath);

    public string SourceDirectory => Path.GetDirectoryName(SourcePath)!;

    public string ReceivedPath => Path.Combine(ReceiveDirectory, Name);

    /// <summary>CPU time of processes killed before their parent waited for them; give it to <see cref="PeerProcess.Start"/>.</summary>
    public UnreapedCpu Unreaped { get; } = new();

    /// <summary>Running as root: TFTP servers are then told to stay root, since "nobody" could not write the receive folder.</summary>
    public static bool IsRoot => Environment.UserName == "root";
}

/// <summary>What one run of a peer tool delivered.</summary>
/// <param name="Seconds">From the client's start until the file was complete at the receiver.</param>
/// <param name="ReceivedPath">The delivered file, checked against the source digest; null when the tool moves no file.</param>
/// <param name="Bytes">Bytes delivered (for a tool without a file, what it reports as received).</param>
internal readonly record struct PeerTransfer(double Seconds, string? ReceivedPath, long Bytes, string? Note = null);

/// <summary>
/// Another program that moves a file over loopback, run the way its documentation recommends for
/// speed: its server started on 127.0.0.1 on a free port, the client timed, the server stopped.
/// </summary>
internal abstract class PeerTool
{
    private static readonly string[] ExtraFolders = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    /// <summary>Longest a single transfer may take before it counts as failed.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public abstract string Name { get; }

    /// <summary>The settings used, as the report quotes them.</summary>
    public abstract string Settings { get; }

    /// <summary>
    /// The largest udpx datagram this tool is fairly compared with: 1472 for a tool that keeps to
    /// Ethernet-sized datagrams, so that its ratio is taken against udpx at 1472 B rather than at 64 KiB;
    /// null for a tool with large datagrams or a byte stream.
    /// </summary>
    public virtual int? ComparableDatagramSize => null;

    /// <summary>Executables it needs, looked up on PATH (and the sbin folders, where servers live).</summary>
    public abstract IReadOnlyList<string> Programs { get; }

    /// <summary>Runs one transfer of <see cref="PeerContext.SourcePath"/> into <see cref="PeerContext.ReceiveDirectory"/>.</summary>
    public abstract Task<PeerTransfer> TransferAsync(PeerContext context, CancellationToken cancellationToken);

    /// <summary>Full paths of every program, or null with the first one missing.</summary>
    public IReadOnlyDictionary<string, string>? Locate(out string? missing)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string program in Programs)
        {
            string? path = Find(program);
            if (path is null)
            {
                missing = program;
                return null;
            }
            found[program] = path;
        }
        missing = null;
        return found;
    }

    internal static string? Find(string program)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(ExtraFolders);
        foreach (string folder in folders)
        {
            string candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
