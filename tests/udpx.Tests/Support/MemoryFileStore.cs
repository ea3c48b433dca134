using System.Collections.Concurrent;
using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Tests.Support;

/// <summary>Files received into memory; committed files are kept by name.</summary>
internal sealed class MemoryFileStore : IFileStore
{
    public ConcurrentDictionary<string, byte[]> Committed { get; } = new();

    public int Discarded;

    public long WriteCalls;

    /// <summary>Commits whose computed digest was checked against the bytes written.</summary>
    public int CheckedCommits;

    /// <summary>The chunk size of the transfers, so that a commit can check the server's digest against the bytes; 0 to skip.</summary>
    public int ChunkSize { get; set; }

    /// <summary>What <see cref="GetSpace"/> reports; null for "unknown" (no free-space check).</summary>
    public DiskSpace? Space { get; set; }

    /// <summary>When set, preparations wait for it: a disk slow to preallocate. Its result is theirs.</summary>
    public TaskCompletionSource<RejectReason>? Preparation { get; set; }

    public int Created;

    /// <summary>Files stored under their name, each time one was.</summary>
    public int Commits;

    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file)
    {
        Interlocked.Increment(ref Created);
        file = new MemoryFile(this, name, size);
        return RejectReason.None;
    }

    public DiskSpace? GetSpace() => Space;

    private sealed class MemoryFile(MemoryFileStore store, string name, long size) : IIncomingFile
    {
        // Made on the first write, so that offers of large files cost no memory until data comes.
        private byte[]? _data;

        private byte[] Bytes => _data ??= new byte[size];

        public string Name => name;

        public Task<RejectReason> PrepareAsync(CancellationToken cancellationToken) =>
            store.Preparation?.Task ?? Task.FromResult(RejectReason.None);

        public void Write(long offset, ReadOnlySpan<byte> bytes)
        {
            Interlocked.Increment(ref store.WriteCalls);
            bytes.CopyTo(Bytes.AsSpan((int)offset));
        }

        /// <summary>The server's digest computed while receiving must equal the digest of what it wrote.</summary>
        public Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken)
        {
            if (store.ChunkSize > 0)
            {
                Interlocked.Increment(ref store.CheckedCommits);
                if (computed != ChunkDigest.Of(Bytes, store.ChunkSize))
                {
                    Discard();
                    return Task.FromResult(RejectReason.IoError);
                }
            }
            if (claimed != computed)
            {
                Discard();
                return Task.FromResult(RejectReason.DigestMismatch);
            }
            Interlocked.Increment(ref store.Commits);
            store.Committed[name] = Bytes;
            return Task.FromResult(RejectReason.None);
        }

        public void Discard() => Interlocked.Increment(ref store.Discarded);
    }
}
