using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.InMemory;

/// <summary>
/// A store that accepts every file, keeps none of its bytes and commits when the digests agree: the protocol's
/// cost without disk (the benchmarks), and a server that fills no memory (the UI preview).
/// </summary>
internal sealed class DiscardingFileStore : IFileStore
{
    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file)
    {
        file = new DiscardedFile(name);
        return RejectReason.None;
    }

    public DiskSpace? GetSpace() => null;

    private sealed class DiscardedFile(string name) : IIncomingFile
    {
        public string Name => name;

        public Task<RejectReason> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult(RejectReason.None);

        public void Write(long offset, ReadOnlySpan<byte> bytes)
        {
        }

        public Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken) =>
            Task.FromResult(claimed == computed ? RejectReason.None : RejectReason.DigestMismatch);

        public void Discard()
        {
        }
    }
}
