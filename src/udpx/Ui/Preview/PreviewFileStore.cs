using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Ui.Preview;

/// <summary>Files received into memory, committed when the digests agree, then let go: the preview keeps nothing.</summary>
internal sealed class PreviewFileStore : IFileStore
{
    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file)
    {
        file = new MemoryFile(name, size);
        return RejectReason.None;
    }

    public DiskSpace? GetSpace() => null;

    private sealed class MemoryFile(string name, long size) : IIncomingFile
    {
        private byte[] _bytes = new byte[size];

        public string Name => name;

        public Task<RejectReason> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult(RejectReason.None);

        public void Write(long offset, ReadOnlySpan<byte> bytes) => bytes.CopyTo(_bytes.AsSpan((int)offset));

        public Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken)
        {
            var result = claimed == computed ? RejectReason.None : RejectReason.DigestMismatch;
            _bytes = [];
            return Task.FromResult(result);
        }

        public void Discard() => _bytes = [];
    }
}
