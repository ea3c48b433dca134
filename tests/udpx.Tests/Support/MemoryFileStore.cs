using System.Collections.Concurrent;
using System.IO.Hashing;
using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Tests.Support;

/// <summary>Files received into memory; committed files are kept by name.</summary>
internal sealed class MemoryFileStore : IFileStore
{
    public ConcurrentDictionary<string, byte[]> Committed { get; } = new();

    public int Discarded;

    public long WriteCalls;

    public int IncrementalCommits;

    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file)
    {
        file = new MemoryFile(this, name, size);
        return RejectReason.None;
    }

    private sealed class MemoryFile(MemoryFileStore store, string name, long size) : IIncomingFile
    {
        private readonly byte[] _bytes = new byte[size];

        public string Name => name;

        public void Write(long offset, ReadOnlySpan<byte> bytes)
        {
            Interlocked.Increment(ref store.WriteCalls);
            bytes.CopyTo(_bytes.AsSpan((int)offset));
        }

        public bool CanReadBack => true;

        public int Read(long offset, Span<byte> destination)
        {
            int n = (int)Math.Min(destination.Length, _bytes.Length - offset);
            _bytes.AsSpan((int)offset, n).CopyTo(destination);
            return n;
        }

        /// <summary>The server's digest computed while receiving must equal the digest of what it wrote.</summary>
        public Task<RejectReason> CommitAsync(UInt128 digest, UInt128 computed, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref store.IncrementalCommits);
            if (computed != XxHash128.HashToUInt128(_bytes))
            {
                Discard();
                return Task.FromResult(RejectReason.IoError);
            }
            return CommitAsync(digest, cancellationToken);
        }

        public Task<RejectReason> CommitAsync(UInt128 digest, CancellationToken cancellationToken)
        {
            if (XxHash128.HashToUInt128(_bytes) != digest)
            {
                Discard();
                return Task.FromResult(RejectReason.DigestMismatch);
            }
            store.Committed[name] = _bytes;
            return Task.FromResult(RejectReason.None);
        }

        public void Discard() => Interlocked.Increment(ref store.Discarded);
    }
}
