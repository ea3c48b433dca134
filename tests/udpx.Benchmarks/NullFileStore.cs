using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Benchmarks;

/// <summary>A store that keeps nothing and accepts every digest: the protocol's cost without disk or hashing.</summary>
internal sealed class NullFileStore : IFileStore
{
    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file)
    {
        file = new NullFile(name);
        return RejectReason.None;
    }

    public DiskSpace? GetSpace() => null;

    private sealed class NullFile(string name) : IIncomingFile
    {
        public string Name => name;

        public Task<RejectReason> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult(RejectReason.None);

        public void Write(long offset, ReadOnlySpan<byte> bytes)
        {
        }

        public Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken) => Task.FromResult(RejectReason.None);

        public void Discard()
        {
        }
    }
}
