using BenchmarkDotNet.Attributes;
using Udpx.Server;

namespace Udpx.Benchmarks;

/// <summary>The server's per-chunk bookkeeping and the bitmap each acknowledgement carries.</summary>
[MemoryDiagnoser]
public class ReceiveWindowBenchmarks
{
    private const int Window = 8192;

    private readonly byte[] _bitmap = new byte[Window / 8];
    private ReceiveWindow _inOrder = null!;
    private ReceiveWindow _withHole = null!;
    private ReceiveWindow _rounds = null!;
    private ulong _next;
    private ulong _roundStart;

    /// <summary>Chunks held above a missing one when the acknowledgement is written.</summary>
    [Params(16, 4096)]
    public int Outstanding { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _inOrder = new ReceiveWindow(ulong.MaxValue / 2, Window);
        _next = 0;
        _withHole = new ReceiveWindow(ulong.MaxValue / 2, Window);
        for (int i = 1; i <= Outstanding; i++)
        {
            _withHole.Mark((ulong)i); // chunk 0 missing
        }
        _rounds = new ReceiveWindow(ulong.MaxValue / 2, Window);
        _roundStart = 0;
    }

    /// <summary>A chunk arriving in order: set, and the cumulative point moves past it.</summary>
    [Benchmark]
    public ulong MarkInOrder() => _inOrder.Mark(_next++);

    /// <summary>The bitmap of <see cref="Outstanding"/> chunks held above a hole.</summary>
    [Benchmark]
    public int WriteBitmap() => _withHole.WriteBitmap(_bitmap);

    /// <summary>
    /// A loss round: a chunk goes missing, <see cref="Outstanding"/> later ones arrive with an
    /// acknowledgement bitmap every 16, then the retransmission fills the hole.
    /// </summary>
    [Benchmark]
    public ulong LossRound()
    {
        ulong hole = _roundStart;
        int bytes = 0;
        for (int i = 1; i <= Outstanding; i++)
        {
            _rounds.Mark(hole + (ulong)i);
            if (i % 16 == 0)
            {
                bytes += _rounds.WriteBitmap(_bitmap);
            }
        }
        ulong moved = _rounds.Mark(hole);
        _roundStart = hole + (ulong)Outstanding + 1;
        return moved + (ulong)bytes;
    }
}
