using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Udpx.Protocol;

namespace Udpx.Benchmarks;

/// <summary>
/// One datagram through the kernel: SendTo on one loopback socket, ReceiveFrom on the other, with the
/// SocketAddress overloads udpx uses (no IPEndPoint per datagram).
/// </summary>
[MemoryDiagnoser]
public class LoopbackSocketBenchmarks
{
    private Socket _sender = null!;
    private Socket _receiver = null!;
    private SocketAddress _to = null!;
    private SocketAddress _from = null!;
    private byte[] _out = [];
    private byte[] _in = [];

    [Params(Wire.EthernetDatagramSize, Wire.MaxDatagramSize)]
    public int DatagramSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        _receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { SendBufferSize = 4 << 20 };
        _sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _to = _receiver.LocalEndPoint!.Serialize();
        _from = new SocketAddress(AddressFamily.InterNetwork);
        _out = new byte[DatagramSize];
        new Random(3).NextBytes(_out);
        _in = new byte[Wire.MaxDatagramSize];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    [Benchmark]
    public int SendAndReceive()
    {
        _sender.SendTo(_out, SocketFlags.None, _to);
        return _receiver.ReceiveFrom(_in, SocketFlags.None, _from);
    }
}
