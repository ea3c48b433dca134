using BenchmarkDotNet.Attributes;
using Udpx.Engine;
using Udpx.InMemory;
using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Benchmarks;

/// <summary>
/// A whole transfer between <see cref="SenderProtocol"/> and <see cref="ServerProtocol"/> in memory,
/// lossless, 50 µs round trip: TryWriteNext, the server's Handle and Poll, the acknowledgements back
/// into OnDatagram. The mean is per transfer of <see cref="FileBytes"/>; divide by the datagram count
/// (23,238 data datagrams of 1472 bytes) for the cost of one. One server and one link serve every transfer,
/// so what is allocated is the sender's loop and the server's new session, not the link's buffers.
/// </summary>
[MemoryDiagnoser]
public class SenderExchangeBenchmarks
{
    public const int FileBytes = 32 << 20;

    private byte[] _file = [];
    private ulong _session = 1;
    private SenderProtocol _sender = null!;
    private InMemoryLink _link = null!;

    [Params(Wire.EthernetDatagramSize)]
    public int DatagramSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _file = new byte[FileBytes];
        new Random(2).NextBytes(_file);
        _link = new InMemoryLink(new ServerProtocol(new ServerOptions(), new DiscardingFileStore()), DatagramSize);
    }

    /// <summary>A new sender per transfer, outside the measurement: its arrays are set-up, not the loop.</summary>
    [IterationSetup]
    public void NewTransfer()
    {
        var plan = new TransferPlan(_session++, "bench.bin", _file.Length, DatagramSize);
        _sender = new SenderProtocol(plan, new MemoryChunkSource(_file), new SenderOptions(), new TransferCounters());
    }

    [IterationCleanup]
    public void Check()
    {
        if (!_sender.Outcome.Verified)
        {
            throw new InvalidOperationException("transfer did not complete: " + _sender.Outcome.Message);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _link.Server.Dispose();

    [Benchmark]
    public long Transfer() => _link.Run(_sender);
}
