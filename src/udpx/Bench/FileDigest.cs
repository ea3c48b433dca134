using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Udpx.Bench;

/// <summary>XxHash128 of a whole file, streamed through one buffer: how `udpx bench` checks what each tool delivered.</summary>
internal static class FileDigest
{
    // A buffer of its own per digest: a fixed cost per file, where a shared pool's cost would vary with the thread.
    private const int BufferSize = 256 << 10;

    private static UInt128 Compute(SafeFileHandle handle, CancellationToken cancellationToken)
    {
        var hash = new XxHash128();
        byte[] buffer = GC.AllocateUninitializedArray<byte>(BufferSize);
        {
            long offset = 0;
            int n;
            while ((n = RandomAccess.Read(handle, buffer.AsSpan(0, BufferSize), offset)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.Append(buffer.AsSpan(0, n));
                offset += n;
            }
            return hash.GetCurrentHashAsUInt128();
        }
    }

    public static UInt128 Compute(string path, CancellationToken cancellationToken = default)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        return Compute(handle, cancellationToken);
    }
}
