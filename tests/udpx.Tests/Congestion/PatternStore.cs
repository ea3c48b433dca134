using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Congestion;

/// <summary>Accepts any number of files of <see cref="PatternFile"/> bytes, checks every write, and records which were stored whole.</summary>
internal sealed class PatternStore : IFileStore
{
    public HashSet<string> Stored { get; } = [];

    public long Mismatches { get; private set; }

    public long BytesWritten { get; private set; }

    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file)
    {
        file = new Incoming(this, name, size);
        return RejectReason.None;
    }

    public DiskSpace? GetSpace() => null;

    private sealed class Incoming(PatternStore store, string name, long size) : IIncomingFile
    {
        private long _written;

        public string Name => name;

        public Task<RejectReason> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult(RejectReason.None);

        public void Write(long offset, ReadOnlySpan<byte> bytes)
        {
            if (!PatternFile.Matches(offset, bytes))
            {
                store.Mismatches++;
            }
            _written += bytes.Length;
            store.BytesWritten += bytes.Length;
        }

        public Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken)
        {
            if (claimed != computed || _written != size)
            {
                return Task.FromResult(RejectReason.DigestMismatch);
            }
            store.Stored.Add(name);
            return Task.FromResult(RejectReason.None);
        }

        public void Discard()
        {
        }
    }
}
