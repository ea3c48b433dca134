using BenchmarkDotNet.Attributes;
using Udpx.Protocol;

namespace Udpx.Benchmarks;

/// <summary>What every data datagram costs to build and to check: header, payload copy, checksum.</summary>
[MemoryDiagnoser]
public class DataDatagramBenchmarks
{
    private byte[] _payload = [];
    private byte[] _datagram = [];
    private ulong _chunk;

    [Params(Wire.EthernetDatagramSize, Wire.MaxDatagramSize)]
    public int DatagramSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = new byte[Wire.ChunkSizeFor(DatagramSize)];
        new Random(1).NextBytes(_payload);
        _datagram = new byte[DatagramSize];
        EncodeAndSeal();
    }

    /// <summary>As the sender does per datagram: header, payload into place, checksum over all of it.</summary>
    [Benchmark]
    public int EncodeAndSeal()
    {
        MessageCodec.WriteDataHeader(_datagram, 0x1234_5678_9abc_def0, _chunk++, 123_456);
        _payload.CopyTo(MessageCodec.DataPayload(_datagram));
        return MessageCodec.SealData(_datagram, _payload.Length);
    }

    /// <summary>As the server does first with every datagram: the checksum alone.</summary>
    [Benchmark]
    public bool VerifyChecksum() => Checksum.IsValid(_datagram);

    /// <summary>The whole header check the server makes (magic, version, type, checksum) and the data fields.</summary>
    [Benchmark]
    public ulong ReadHeaderAndData()
    {
        DatagramHeader.TryRead(_datagram, out var header);
        MessageCodec.TryReadData(_datagram, out ulong chunk, out _, out _);
        return header.SessionId ^ chunk;
    }
}
