using System.Net;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

public sealed class CodecTests
{
    private readonly byte[] _buffer = new byte[Wire.MaxDatagramSize];

    [Fact]
    public void Hello_round_trips_and_is_padded_against_amplification()
    {
        int n = MessageCodec.WriteHello(_buffer, new HelloMessage(42, 123456789));
        Assert.Equal(Wire.HelloSize, n);
        Assert.True(n > Wire.CookieSize, "the cookie reply must be smaller than the hello");
        Assert.True(MessageCodec.TryReadHello(_buffer.AsSpan(0, n), out var m));
        Assert.Equal(new HelloMessage(42, 123456789), m);
    }

    [Fact]
    public void Cookie_round_trips()
    {
        var original = new CookieMessage(7, 8, 9, 0xdead_beef_cafe_f00d);
        int n = MessageCodec.WriteCookie(_buffer, original);
        Assert.True(MessageCodec.TryReadCookie(_buffer.AsSpan(0, n), out var m));
        Assert.Equal(original, m);
    }

    [Fact]
    public void Offer_round_trips_with_a_unicode_name_and_a_size_over_4_GiB()
    {
        var original = new OfferMessage(1, 2, 3, (5UL << 30) + 17, 1444, OfferMessage.Encrypted, "été ✓ photo.png", new UInt128(0xfeed, 0xbeef), 2);
        int n = MessageCodec.WriteOffer(_buffer, original);
        Assert.True(MessageCodec.TryReadOffer(_buffer.AsSpan(0, n), out var m, out bool valid));
        Assert.True(valid);
        Assert.Equal(original, m);
    }

    [Fact]
    public void Accept_reject_done_finish_abort_round_trip()
    {
        int n = MessageCodec.WriteAccept(_buffer, new AcceptMessage(5, 6, 8192, 1444, new UInt128(7, 8), 1));
        Assert.True(MessageCodec.TryReadAccept(_buffer.AsSpan(0, n), out var accept));
        Assert.Equal(new AcceptMessage(5, 6, 8192, 1444, new UInt128(7, 8), 1), accept);

        n = MessageCodec.WriteReject(_buffer, new RejectMessage(5, RejectReason.DiskFull, "no space", 3));
        Assert.True(MessageCodec.TryReadReject(_buffer.AsSpan(0, n), out var reject));
        Assert.Equal(new RejectMessage(5, RejectReason.DiskFull, "no space", 3), reject);

        n = MessageCodec.WriteDone(_buffer, new DoneMessage(5, RejectReason.None, 1UL << 33, string.Empty, ulong.MaxValue));
        Assert.True(MessageCodec.TryReadDone(_buffer.AsSpan(0, n), out var done));
        Assert.Equal(new DoneMessage(5, RejectReason.None, 1UL << 33, string.Empty, ulong.MaxValue), done);

        var finish = new FinishMessage(5, 99, new UInt128(0x0123456789abcdef, 0xfedcba9876543210), 1UL << 40);
        n = MessageCodec.WriteFinish(_buffer, finish);
        Assert.True(MessageCodec.TryReadFinish(_buffer.AsSpan(0, n), out var finishRead));
        Assert.Equal(finish, finishRead);

        n = MessageCodec.WriteAbort(_buffer, 5, RejectReason.Cancelled);
        Assert.True(MessageCodec.TryReadAbort(_buffer.AsSpan(0, n), out ulong sid, out var why));
        Assert.Equal((5UL, RejectReason.Cancelled), (sid, why));
    }

    [Fact]
    public void Data_round_trips_with_a_chunk_index_beyond_32_bits()
    {
        ulong chunk = (1UL << 40) + 3;
        MessageCodec.WriteDataHeader(_buffer, 9, chunk, 777);
        "hello"u8.CopyTo(MessageCodec.DataPayload(_buffer));
        int n = MessageCodec.SealData(_buffer, 5);
        Assert.Equal(DatagramStatus.Ok, DatagramHeader.TryRead(_buffer.AsSpan(0, n), out var header));
        Assert.Equal(new DatagramHeader(MessageType.Data, 9), header);
        Assert.True(MessageCodec.TryReadData(_buffer.AsSpan(0, n), out ulong c, out uint ts, out var payload));
        Assert.Equal(chunk, c);
        Assert.Equal(777u, ts);
        Assert.Equal("hello"u8.ToArray(), payload.ToArray());
    }

    [Fact]
    public void Ack_round_trips_its_bitmap()
    {
        byte[] bitmap = [0b1010_0001, 0xff, 0x00, 0x80];
        int n = MessageCodec.WriteAck(_buffer, 3, 41, 9000, 1000, 55, 2, bitmap);
        Assert.True(MessageCodec.TryReadAck(_buffer.AsSpan(0, n), out var ack));
        Assert.Equal(41UL, ack.PacketNumber);
        Assert.Equal(9000UL, ack.LargestReceived);
        Assert.Equal(1000UL, ack.Cumulative);
        Assert.Equal(55u, ack.EchoTimeMicros);
        Assert.Equal(2u, ack.Duplicates);
        Assert.Equal(bitmap, ack.Bitmap.ToArray());
    }

    [Fact]
    public void Every_single_bit_flip_is_caught_by_the_checksum()
    {
        MessageCodec.WriteDataHeader(_buffer, 9, 12, 777);
        new Random(1).NextBytes(MessageCodec.DataPayload(_buffer)[..200]);
        int n = MessageCodec.SealData(_buffer, 200);
        byte[] datagram = _buffer[..n];
        for (int bit = 0; bit < n * 8; bit++)
        {
            byte[] copy = (byte[])datagram.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(DatagramStatus.Ok, DatagramHeader.TryRead(copy, out _));
        }
    }

    [Fact]
    public void Truncated_datagrams_of_every_kind_are_rejected_without_exceptions()
    {
        var lengths = new List<(MessageType, int)>
        {
            (MessageType.Hello, MessageCodec.WriteHello(_buffer, new HelloMessage(1, 2))),
        };
        foreach (var (type, length) in Samples())
        {
            byte[] full = Encode(type);
            for (int cut = 0; cut < full.Length; cut++)
            {
                var part = full.AsSpan(0, cut);
                // Re-seal so only the length is wrong, not the checksum.
                if (cut >= 8)
                {
                    part = Reseal(full.AsSpan(0, cut).ToArray());
                }
                // A cut data datagram reads as a shorter chunk; the server checks the length against the offer.
                if (type != MessageType.Data || cut <= Wire.DataHeaderSize)
                {
                    AssertRejected(type, part);
                }
            }
            _ = length;
        }
        Assert.NotEmpty(lengths);
    }

    [Fact]
    public void Wrong_version_unknown_type_and_foreign_datagrams_are_classified()
    {
        int n = MessageCodec.WriteHello(_buffer, new HelloMessage(1, 2));
        byte[] d = _buffer[..n];
        d[1] = Wire.Version - 1;
        Assert.Equal(DatagramStatus.WrongVersion, DatagramHeader.TryRead(Reseal(d), out _));
        d[1] = Wire.Version;
        d[2] = 200;
        Assert.Equal(DatagramStatus.Malformed, DatagramHeader.TryRead(Reseal(d), out _));
        Assert.Equal(DatagramStatus.NotUdpx, DatagramHeader.TryRead("GET / HTTP/1.1\r\n"u8, out _));
        Assert.Equal(DatagramStatus.NotUdpx, DatagramHeader.TryRead([], out _));
    }

    [Fact]
    public void Absurd_length_fields_are_rejected()
    {
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(1, 2, 3, 10, 1444, 0, "a.txt"));
        byte[] d = _buffer[..n];
        d[Wire.OfferNameLengthOffset] = 0xff;
        d[Wire.OfferNameLengthOffset + 1] = 0xff;
        Assert.False(MessageCodec.TryReadOffer(Reseal(d), out _, out _));

        n = MessageCodec.WriteAck(_buffer, 3, 1, 1, 1000, 55, 2, [1, 2, 3]);
        d = _buffer[..n];
        d[Wire.AckFixedSize - 2] = 0x7f;
        Assert.False(MessageCodec.TryReadAck(Reseal(d), out _));

        n = MessageCodec.WriteReject(_buffer, new RejectMessage(5, RejectReason.DiskFull, "x"));
        d = _buffer[..n];
        d[Wire.RejectFixedSize - 2] = 0x10;
        Assert.False(MessageCodec.TryReadReject(Reseal(d), out _));
    }

    [Fact]
    public void An_offer_whose_name_is_not_utf8_is_read_but_flagged()
    {
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(1, 2, 3, 10, 1444, 0, "abc"));
        byte[] d = _buffer[..n];
        d[Wire.OfferFixedSize] = 0xff;
        Assert.True(MessageCodec.TryReadOffer(Reseal(d), out _, out bool valid));
        Assert.False(valid);
    }

    [Fact]
    public void A_server_fed_garbage_and_mutations_stays_up_and_creates_nothing()
    {
        var store = new MemoryFileStore();
        using var server = new ServerProtocol(new ServerOptions(), store);
        var sink = new CountingSink();
        var from = new IPEndPoint(IPAddress.Loopback, 5000).Serialize();
        var random = new Random(5);
        var seeds = Samples().Select(s => Encode(s.Type)).ToList();
        for (int i = 0; i < 100_000; i++)
        {
            byte[] d;
            if (i % 2 == 0)
            {
                d = new byte[random.Next(0, 1500)];
                random.NextBytes(d);
                if (d.Length > 3 && i % 4 == 0)
                {
                    d[0] = Wire.Magic;
                    d[1] = Wire.Version;
                    d[2] = (byte)random.Next(0, 12);
                }
            }
            else
            {
                d = (byte[])seeds[random.Next(seeds.Count)].Clone();
                int flips = random.Next(1, 4);
                for (int f = 0; f < flips; f++)
                {
                    d[random.Next(d.Length)] ^= (byte)random.Next(1, 256);
                }
                if (i % 3 == 0)
                {
                    d = Reseal(d);
                }
            }
            server.Handle(d, from, i * 10, sink);
        }
        Assert.Empty(server.Sessions);
        Assert.Empty(store.Committed);
        Assert.True(server.Stats.BadChecksum > 0 && server.Stats.NotUdpx > 0);
    }

    private static IEnumerable<(MessageType Type, int Unused)> Samples() =>
    [
        (MessageType.Hello, 0), (MessageType.Cookie, 0), (MessageType.Offer, 0), (MessageType.Accept, 0), (MessageType.Reject, 0),
        (MessageType.Data, 0), (MessageType.Ack, 0), (MessageType.Done, 0), (MessageType.Finish, 0), (MessageType.Abort, 0),
    ];

    private static byte[] Encode(MessageType type)
    {
        byte[] b = new byte[2048];
        int n = type switch
        {
            MessageType.Hello => MessageCodec.WriteHello(b, new HelloMessage(1, 2)),
            MessageType.Cookie => MessageCodec.WriteCookie(b, new CookieMessage(1, 2, 3, 4)),
            MessageType.Offer => MessageCodec.WriteOffer(b, new OfferMessage(1, 2, 3, 4000, 1444, 0, "name.bin")),
            MessageType.Accept => MessageCodec.WriteAccept(b, new AcceptMessage(1, 0, 8192, 1444)),
            MessageType.Reject => MessageCodec.WriteReject(b, new RejectMessage(1, RejectReason.TooLarge, "too big")),
            MessageType.Data => DataSample(b),
            MessageType.Ack => MessageCodec.WriteAck(b, 1, 4, 3, 5, 6, 7, [1, 2, 3, 4]),
            MessageType.Done => MessageCodec.WriteDone(b, new DoneMessage(1, RejectReason.None, 10, "ok")),
            MessageType.Finish => MessageCodec.WriteFinish(b, new FinishMessage(1, 10, 7)),
            _ => MessageCodec.WriteAbort(b, 1, RejectReason.Cancelled),
        };
        return b[..n];
    }

    private static int DataSample(byte[] b)
    {
        MessageCodec.WriteDataHeader(b, 1, 0, 5);
        return MessageCodec.SealData(b, 100);
    }

    private static byte[] Reseal(byte[] d)
    {
        if (d.Length >= 8)
        {
            Checksum.Seal(d);
        }
        return d;
    }

    private static void AssertRejected(MessageType type, ReadOnlySpan<byte> d)
    {
        bool read = type switch
        {
            MessageType.Hello => MessageCodec.TryReadHello(d, out _),
            MessageType.Cookie => MessageCodec.TryReadCookie(d, out _),
            MessageType.Offer => MessageCodec.TryReadOffer(d, out _, out _),
            MessageType.Accept => MessageCodec.TryReadAccept(d, out _),
            MessageType.Reject => MessageCodec.TryReadReject(d, out _),
            MessageType.Data => MessageCodec.TryReadData(d, out _, out _, out _),
            MessageType.Ack => MessageCodec.TryReadAck(d, out _),
            MessageType.Done => MessageCodec.TryReadDone(d, out _),
            MessageType.Finish => MessageCodec.TryReadFinish(d, out _),
            _ => MessageCodec.TryReadAbort(d, out _, out _),
        };
        Assert.False(read, type + " of " + d.Length + " bytes was accepted");
    }

    private sealed class CountingSink : IDatagramSink
    {
        public int Sent;

        public void Send(ReadOnlySpan<byte> datagram, SocketAddress to)
        {
            Sent++;
            Assert.True(datagram.Length <= Wire.MaxDatagramSize);
        }
    }
}
