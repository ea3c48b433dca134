using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Tests.Support;

/// <summary>
/// A file of any size that exists only as a rule (a prime-period pattern). A source reads it, a store checks
/// every write against it, so files far beyond memory (and beyond 4 GiB) can cross the protocol.
/// </summary>
internal sealed class PatternFile(long length) : IChunkSource
{
    public long Length => length;

    // Byte i is Table[i mod Period]. The period is prime, so a chunk written at the wrong offset
    // (any whole number of chunks away) shows as a mismatch; copying from the table keeps it fast.
    private const int Period = 65521;
    private static readonly byte[] Table = MakeTable();

    public static byte At(long offset) => Table[(int)(offset % Period)];

    public int Read(long offset, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int start = (int)((offset + done) % Period);
            int n = Math.Min(Period - start, destination.Length - done);
            Table.AsSpan(start, n).CopyTo(destination[done..]);
            done += n;
        }
        return destination.Length;
    }

    public static bool Matches(long offset, ReadOnlySpan<byte> bytes)
    {
        int done = 0;
        while (done < bytes.Length)
        {
            int start = (int)((offset + done) % Period);
            int n = Math.Min(Period - start, bytes.Length - done);
            if (!Table.AsSpan(start, n).SequenceEqual(bytes.Slice(done, n)))
            {
                return false;
            }
            done += n;
        }
        return true;
    }

    private static byte[] MakeTable()
    {
        byte[] table = new byte[Period];
        new Random(4242).NextBytes(table);
        return table;
    }
}

/// <summary>Accepts one file and checks each write against <see cref="PatternFile"/>; counts what was covered.</summary>
internal sealed class PatternCheckingStore(PatternFile pattern) : IFileStore
{
    public long BytesWritten;

    public long Mismatches;

    public long HighestEnd;

    public bool Committed;

    public PatternFile Pattern => pattern;

    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file)
    {
        file = new Incoming(this, name);
        return RejectReason.None;
    }

    public DiskSpace? GetSpace() => null;

    private sealed class Incoming(PatternCheckingStore store, string name) : IIncomingFile
    {
        public string Name => name;

        public Task<RejectReason> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult(RejectReason.None);

        public void Write(long offset, ReadOnlySpan<byte> bytes)
        {
            if (!PatternFile.Matches(offset, bytes))
            {
                store.Mismatches++;
            }
            store.BytesWritten += bytes.Length;
            store.HighestEnd = Math.Max(store.HighestEnd, offset + bytes.Length);
        }

        public Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken)
        {
            // Every byte matched the pattern and every byte was written once: the file is the pattern.
            bool whole = store.Mismatches == 0 && store.BytesWritten == store.Pattern.Length && store.HighestEnd == store.Pattern.Length;
            store.Committed = whole && claimed == computed;
            return Task.FromResult(store.Committed ? RejectReason.None : RejectReason.DigestMismatch);
        }

        public void Discard()
        {
        }
    }
}
