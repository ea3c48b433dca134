using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Gns3;

/// <summary>
/// The Wireshark dissector (gns3/wireshark/udpx.lua) under Debian's tshark: datagrams the protocol code
/// itself writes, keyed, encrypted, hostile and from a real transfer, written to a pcap and decoded. Every
/// value comes from src/udpx/Protocol, so a protocol change the dissector does not follow fails here.
/// </summary>
// Captures on lo and in the namespace lab: alone, so that no other test's load gets between the capture and the transfer.
[Collection(Udpx.Tests.Reliability.RunAlone.Name)]
public sealed class DissectorTests
{
    // Neither is udpx's default port 9000: the dissector must find udpx by its heuristic.
    private static readonly IPEndPoint Client = new(IPAddress.Parse("10.10.0.10"), 47211);
    private static readonly IPEndPoint Server = new(IPAddress.Parse("10.10.0.11"), 39001);

    private static readonly PreSharedKey Key = PreSharedKey.FromBytes("dissector test key, not a secret"u8.ToArray());

    private static readonly string[] Columns =
    [
        "frame.number", "udpx.type", "udpx.flags", "udpx.session", "udpx.pn", "udpx.data.chunk", "udpx.data.payload_length",
        "udpx.ack.cumulative", "udpx.ack.largest_received", "udpx.ack.duplicates", "udpx.ack.ranges", "udpx.ack.range_count",
        "udpx.reason", "udpx.reason_text", "udpx.message", "udpx.offer.name", "udpx.offer.file_size", "udpx.offer.flags.encrypted",
        "udpx.offer.client_random", "udpx.accept.window", "udpx.accept.server_random", "udpx.done.bytes_stored",
        "udpx.finish.file_size", "udpx.finish.digest", "udpx.tag", "udpx.gcm_tag", "udpx.data.encrypted_payload",
        "udpx.hello.client_time", "udpx.cookie.mac", "_ws.col.Info", "_ws.expert.message",
    ];

    private const ulong Session = 0x0123_4567_89ab_cdef;
    private static readonly UInt128 ClientRandom = new(0x1111_2222_3333_4444, 0x5555_6666_7777_8888);
    private static readonly UInt128 ServerRandom = new(0x9999_aaaa_bbbb_cccc, 0xdddd_eeee_ffff_0001);

    private readonly byte[] _buffer = new byte[Wire.MaxDatagramSize];

    [SkippableFact]
    public void Every_message_type_and_field_decodes_as_the_codec_wrote_it()
    {
        Skip.IfNot(Tshark.IsInstalled, Tshark.SkipReason);
        using var folder = new TempFolder();
        var sent = new List<(byte[] Bytes, bool FromClient)>
        {
            (Hello(pn: 0), true),
            (Take(MessageCodec.WriteCookie(_buffer, new CookieMessage(Session, 123_456, 1_700_000_000, 0xfeed_beef_0bad_cafe))), false),
            (Take(MessageCodec.WriteOffer(_buffer, new OfferMessage(Session, 1_700_000_000, 0xfeed_beef_0bad_cafe, 12_897_485, 1436, 0, "name.bin", ClientRandom, 1))), true),
            (Take(MessageCodec.WriteAccept(_buffer, new AcceptMessage(Session, 0, 8192, 1436, ServerRandom, 1))), false),
            (Data(chunk: 1234, pn: 2, payload: 1436), true),
            (AckWithRanges(pn: 2), false),
            (Take(MessageCodec.WriteFinish(_buffer, new FinishMessage(Session, 12_897_485, new UInt128(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210), 3))), true),
            (Take(MessageCodec.WriteDone(_buffer, new DoneMessage(Session, RejectReason.None, 12_897_485, string.Empty, 3))), false),
            (Take(MessageCodec.WriteAbort(_buffer, Session, RejectReason.Cancelled, 4)), true),
        };
        var reasons = Enum.GetValues<RejectReason>();
        foreach (var reason in reasons)
        {
            sent.Add((Take(MessageCodec.WriteReject(_buffer, new RejectMessage(Session, reason, "why " + (int)reason, 10 + (ulong)reason))), false));
        }
        string capture = Write(folder, sent);

        var rows = Tshark.Fields(capture, Columns);

        Assert.Equal(sent.Count, rows.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            var bytes = sent[i].Bytes;
            Assert.Equal(bytes[2].ToString(CultureInfo.InvariantCulture), rows[i]["udpx.type"]);
            Assert.Equal(Hex(Session), rows[i]["udpx.session"]);
            Assert.Equal(DatagramHeader.PacketNumberOf(bytes).ToString(CultureInfo.InvariantCulture), rows[i]["udpx.pn"]);
            Assert.DoesNotContain("[malformed]", rows[i]["_ws.col.Info"], StringComparison.Ordinal);
        }
        // Every message type the codec knows is in the capture, and the dissector named each.
        Assert.Equal(Enum.GetValues<MessageType>().Select(t => ((byte)t).ToString(CultureInfo.InvariantCulture)).Order(),
            rows.Select(r => r["udpx.type"]).Distinct().Order());

        Assert.Equal("Hello", rows[0]["_ws.col.Info"]);
        Assert.Equal("123456789", rows[0]["udpx.hello.client_time"]);
        Assert.Equal("Cookie", rows[1]["_ws.col.Info"]);
        Assert.Equal(Hex(0xfeed_beef_0bad_cafe), rows[1]["udpx.cookie.mac"]);
        Assert.Equal("Offer \"name.bin\" 12.3 MiB", rows[2]["_ws.col.Info"]);
        Assert.Equal("name.bin", rows[2]["udpx.offer.name"]);
        Assert.Equal("12897485", rows[2]["udpx.offer.file_size"]);
        Assert.Equal("0", rows[2]["udpx.offer.flags.encrypted"]);
        Assert.Equal("11112222333344445555666677778888", Colonless(rows[2]["udpx.offer.client_random"]));
        Assert.Equal("8192", rows[3]["udpx.accept.window"]);
        Assert.Equal("9999aaaabbbbccccddddeeeeffff0001", Colonless(rows[3]["udpx.accept.server_random"]));
        Assert.Equal("Data chunk 1234 (1436 B)", rows[4]["_ws.col.Info"]);
        Assert.Equal("1234", rows[4]["udpx.data.chunk"]);
        Assert.Equal("1436", rows[4]["udpx.data.payload_length"]);
        Assert.Equal("Ack cum 1200 +3 ranges dups 5", rows[5]["_ws.col.Info"]);
        Assert.Equal("1201-1263, 1270, 1300-1320", rows[5]["udpx.ack.ranges"]);
        Assert.Equal("3", rows[5]["udpx.ack.range_count"]);
        Assert.Equal("1299", rows[5]["udpx.ack.largest_received"]);
        Assert.Equal("12897485", rows[6]["udpx.finish.file_size"]);
        Assert.Equal("0123456789abcdeffedcba9876543210", Colonless(rows[6]["udpx.finish.digest"]));
        Assert.Equal("Done: ok, 12.3 MiB stored", rows[7]["_ws.col.Info"]);
        Assert.Equal("12897485", rows[7]["udpx.done.bytes_stored"]);
        Assert.Equal("Abort: cancelled", rows[8]["_ws.col.Info"]);
        Assert.Equal(RejectReasonText.Describe(RejectReason.Cancelled), rows[8]["udpx.reason_text"]);
        for (int i = 0; i < reasons.Length; i++)
        {
            var row = rows[9 + i];
            string text = RejectReasonText.Describe(reasons[i]);
            Assert.Equal(((int)reasons[i]).ToString(CultureInfo.InvariantCulture), row["udpx.reason"]);
            Assert.Equal(text, row["udpx.reason_text"]);
            Assert.Equal("why " + (int)reasons[i], row["udpx.message"]);
            Assert.Equal("Reject: " + text + " (why " + (int)reasons[i] + ")", row["_ws.col.Info"]);
        }
    }

    [SkippableFact]
    public void Keyed_and_encrypted_datagrams_are_marked_and_their_tags_shown()
    {
        Skip.IfNot(Tshark.IsInstalled, Tshark.SkipReason);
        using var folder = new TempFolder();
        var client = DatagramAuthenticator.ForClient(Key);
        var server = DatagramAuthenticator.ForServer(Key);
        using var cipher = new PayloadCipher(Key, Session, ClientRandom, ServerRandom);
        var sent = new List<(byte[] Bytes, bool FromClient)>
        {
            (Signed(client, MessageCodec.WriteHello(_buffer, new HelloMessage(Session, 1, 0))), true),
            (Signed(client, MessageCodec.WriteOffer(_buffer, new OfferMessage(Session, 5, 6, 3000, 1420, OfferMessage.Encrypted, "secret.bin", ClientRandom, 1))), true),
            (Signed(server, MessageCodec.WriteAccept(_buffer, new AcceptMessage(Session, 0, 4, 1420, ServerRandom, 1))), false),
            (EncryptedData(cipher, chunk: 1, pn: 3, payload: 1420), true),
            (Signed(client, DataLength(chunk: 2, pn: 4, payload: 160)), true),
            (Signed(server, MessageCodec.WriteAck(_buffer, Session, 2, 3, 0, 7, 0, [0b0000_0011])), false),
            (Signed(client, MessageCodec.WriteAbort(_buffer, Session, RejectReason.Cancelled, 5)), true),
            // A UDP GSO bundle as a loopback capture holds it: equal datagrams back to back, the last shorter.
            ([.. Signed(client, DataLength(7, 6, 200)), .. Signed(client, DataLength(8, 7, 200)), .. Signed(client, DataLength(9, 8, 200)), .. Signed(client, DataLength(10, 9, 50))], true),
        };
        string capture = Write(folder, sent);

        var rows = Tshark.Fields(capture, Columns);

        Assert.Equal(sent.Count, rows.Count);
        Assert.Equal("Hello [authenticated]", rows[0]["_ws.col.Info"]);
        Assert.Equal(Colonless(rows[0]["udpx.tag"]), Convert.ToHexStringLower(sent[0].Bytes.AsSpan(^DatagramAuthenticator.TagSize..)));
        Assert.Contains("Authenticated datagram", rows[0]["_ws.expert.message"], StringComparison.Ordinal);
        Assert.Equal("Offer \"secret.bin\" 2.9 KiB (to be encrypted) [authenticated]", rows[1]["_ws.col.Info"]);
        Assert.Equal("1", rows[1]["udpx.offer.flags.encrypted"]);
        Assert.Equal("Accept window 4 x 1420 B [authenticated]", rows[2]["_ws.col.Info"]);

        Assert.Equal("Data chunk 1 (1420 B) [encrypted]", rows[3]["_ws.col.Info"]);
        Assert.Equal(Colonless(rows[3]["udpx.gcm_tag"]), Convert.ToHexStringLower(sent[3].Bytes.AsSpan(^PayloadCipher.TagSize..)));
        Assert.Equal(1420 * 2, rows[3]["udpx.data.encrypted_payload"].Replace(":", "", StringComparison.Ordinal).Length);
        Assert.Equal(string.Empty, rows[3]["udpx.tag"]);
        Assert.Contains("Encrypted payload", rows[3]["_ws.expert.message"], StringComparison.Ordinal);

        Assert.Equal("Data chunk 2 (160 B) [authenticated]", rows[4]["_ws.col.Info"]);
        Assert.Equal("Ack cum 0 +1 range [authenticated]", rows[5]["_ws.col.Info"]);
        Assert.Equal("1-2", rows[5]["udpx.ack.ranges"]);
        Assert.Equal("Abort: cancelled [authenticated]", rows[6]["_ws.col.Info"]);
        Assert.Equal("Data chunks 7-10 (4 datagrams of 200 B, GSO bundle) [authenticated]", rows[7]["_ws.col.Info"]);
        Assert.Equal("7;8;9;10", rows[7]["udpx.data.chunk"]);
        Assert.Equal("6;7;8;9", rows[7]["udpx.pn"]);
        Assert.Equal("200;200;200;50", rows[7]["udpx.data.payload_length"]);
        Assert.All(rows, row => Assert.DoesNotContain("Malformed", row["_ws.expert.message"], StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_Wireshark_without_the_BitOp_module_decodes_the_same()
    {
        Skip.IfNot(Tshark.IsInstalled, Tshark.SkipReason);
        using var folder = new TempFolder();
        var server = DatagramAuthenticator.ForServer(Key);
        string capture = Write(folder, [(AckWithRanges(pn: 2), false), (Signed(server, MessageCodec.WriteAck(_buffer, Session, 3, 4, 0, 7, 0, [0b1010_0111, 0xff, 0x01])), false)]);
        // Later Wireshark builds may ship Lua without the "bit" module the dissector prefers.
        string script = folder.File("without-bit.lua");
        File.WriteAllText(script, "bit = nil\ndofile(\"" + Tshark.Dissector + "\")\n");

        var with = Tshark.Fields(capture, Columns);
        var without = Tshark.FieldsWith(script, capture, Columns);

        Assert.Equal("1201-1263, 1270, 1300-1320", with[0]["udpx.ack.ranges"]);
        Assert.Equal("1-3, 6, 8-17", with[1]["udpx.ack.ranges"]);
        Assert.Equal(with.Select(r => string.Join('|', r.Values)), without.Select(r => string.Join('|', r.Values)));
    }

    [SkippableFact]
    public void Hostile_and_truncated_datagrams_get_an_expert_error_and_no_Lua_error()
    {
        Skip.IfNot(Tshark.IsInstalled, Tshark.SkipReason);
        using var folder = new TempFolder();
        var valid = new List<byte[]>
        {
            Hello(pn: 0),
            Take(MessageCodec.WriteOffer(_buffer, new OfferMessage(Session, 1, 2, 3, 1436, 0, "name.bin", ClientRandom, 1))),
            Data(chunk: 9, pn: 2, payload: 40),
            AckWithRanges(pn: 2),
            Take(MessageCodec.WriteDone(_buffer, new DoneMessage(Session, RejectReason.DigestMismatch, 5, "digests differ", 3))),
            Take(MessageCodec.WriteFinish(_buffer, new FinishMessage(Session, 3, 4, 5))),
            Take(MessageCodec.WriteAbort(_buffer, Session, RejectReason.Cancelled, 6)),
            Signed(DatagramAuthenticator.ForClient(Key), MessageCodec.WriteAbort(_buffer, Session, RejectReason.Cancelled, 7)),
        };
        var hostile = new List<byte[]>();
        foreach (var datagram in valid)
        {
            // Every truncation from one byte short of whole down to a bare magic byte, and one byte too
            // many; a shorter or longer Data datagram is still a Data datagram, so only its header is cut.
            bool data = datagram[2] == (byte)MessageType.Data;
            for (int length = data ? Wire.DataHeaderSize : datagram.Length - 1; length >= 1; length--)
            {
                hostile.Add(datagram[..length]);
            }
            if (!data)
            {
                hostile.Add([.. datagram, 0x42]);
            }
        }
        hostile.Add(Patched(valid[1], Wire.OfferNameLengthOffset, 0xff, 0xff));         // name length past the end
        hostile.Add(Patched(valid[3], Wire.AckFixedSize - 2, 0x7f, 0xff));             // bitmap length past the end
        hostile.Add(Patched(valid[4], Wire.HeaderSize + 10, 0x00, 0x01));              // message length short of the end
        hostile.Add(Patched(valid[0], 1, 2));                                          // version 2
        hostile.Add(Patched(valid[0], 2, 0x0b));                                       // type 11
        hostile.Add(Patched(valid[0], 2, 0x00));                                       // type 0
        hostile.Add(Patched(valid[6], 3, 0xff));                                       // every flag, no room for a tag
        // Random bytes behind a udpx start: anything may come of them, but never a Lua error.
        var junk = new List<byte[]>();
        var random = new Random(13);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            bytes[0] = Wire.Magic;
            if (bytes.Length > 1)
            {
                bytes[1] = Wire.Version;
            }
            if (bytes.Length > 2)
            {
                bytes[2] = (byte)random.Next(0, 12);
            }
            junk.Add(bytes);
        }
        string capture = Write(folder, [.. hostile.Concat(junk).Select(h => (h, true))]);
        string port = "udpx.port:" + Server.Port.ToString(CultureInfo.InvariantCulture);

        // Through the fixed-port preference every datagram reaches the dissector, whatever the heuristic says.
        var rows = Tshark.Fields(capture, ["frame.number", "udpx.type", "_ws.col.Info", "_ws.expert.message", "_ws.malformed"], port);
        string decode = Tshark.Verbose(capture, port);

        Assert.Equal(hostile.Count + junk.Count, rows.Count);
        Assert.All(rows.Take(hostile.Count), row =>
        {
            Assert.StartsWith("_ws.malformed", row["_ws.malformed"], StringComparison.Ordinal); // the expert error's group: filter _ws.malformed finds them
            Assert.True(row["_ws.col.Info"].Contains("malformed", StringComparison.Ordinal) || row["_ws.col.Info"].Contains("not decoded", StringComparison.Ordinal),
                "frame " + row["frame.number"] + " \"" + row["_ws.col.Info"] + "\" is not marked malformed");
            Assert.NotEqual(string.Empty, row["_ws.expert.message"]);
        });
        Assert.Contains("name length 65535, but 8 bytes follow", decode, StringComparison.Ordinal);
        Assert.Contains("bitmap length 32767, but 16 bytes follow", decode, StringComparison.Ordinal);
        Assert.Contains("protocol version 2; this dissector reads version 3", decode, StringComparison.Ordinal);
        Assert.Contains("unknown message type 11", decode, StringComparison.Ordinal);
        Assert.DoesNotContain("Lua Error", decode, StringComparison.Ordinal);

        // Without the preference, the heuristic claims no datagram too short for its type.
        var heuristic = Tshark.Fields(capture, ["frame.number", "udpx.type", "_ws.col.Info"]);
        Assert.Equal(hostile.Count + junk.Count, heuristic.Count);
        for (int i = 0; i < hostile.Count; i++)
        {
            if (hostile[i].Length < Wire.HeaderSize)
            {
                Assert.Equal(string.Empty, heuristic[i]["udpx.type"]);
            }
        }
    }

    [SkippableFact]
    public void A_capture_cut_short_by_a_snap_length_decodes_what_it_holds_and_is_not_called_malformed()
    {
        Skip.IfNot(Tshark.IsInstalled, Tshark.SkipReason);
        using var folder = new TempFolder();
        const int Frame = 14 + 20 + 8; // Ethernet, IPv4 and UDP headers before the udpx datagram
        var server = DatagramAuthenticator.ForServer(Key);
        var sent = new List<(byte[] Bytes, int Snap)>
        {
            (Data(chunk: 1234, pn: 2, payload: 1436), Frame + 64),
            (Take(MessageCodec.WriteOffer(_buffer, new OfferMessage(Session, 1, 2, 3, 1436, 0, "name.bin", ClientRandom, 1))), Frame + 40),
            (Signed(server, AckWithRanges(pn: 2).Length), Frame + Wire.AckFixedSize + 20),
            (Hello(pn: 0), Frame + 10),
        };
        // AckWithRanges leaves its datagram in _buffer, which Signed then signs in place.
        string capture = folder.File("snapped.pcap");
        using (var pcap = new PcapWriter(capture))
        {
            var time = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
            foreach (var (bytes, snap) in sent)
            {
                pcap.Write(Client, Server, bytes, time, snap);
            }
        }

        var rows = Tshark.Fields(capture, [.. Columns, "_ws.malformed"]);

        Assert.Equal(sent.Count, rows.Count);
        Assert.Equal("Data chunk 1234 (1436 B) [snapped]", rows[0]["_ws.col.Info"]);
        Assert.Equal("1436", rows[0]["udpx.data.payload_length"]);
        Assert.Equal("Offer [snapped]", rows[1]["_ws.col.Info"]);
        Assert.Equal("Ack cum 1200 +3 ranges dups 5 [authenticated, snapped]", rows[2]["_ws.col.Info"]);
        Assert.Equal("udpx (header not captured) [snapped]", rows[3]["_ws.col.Info"]);
        Assert.All(rows, row => Assert.Equal(string.Empty, row["_ws.malformed"]));
        Assert.All(rows, row => Assert.Contains("snap length", row["_ws.expert.message"], StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_real_keyed_and_encrypted_transfer_decodes_frame_by_frame()
    {
        Skip.IfNot(Tshark.IsInstalled, Tshark.SkipReason);
        using var folder = new TempFolder();
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder.File("received"), new ServerOptions { Key = Key });
        using var proxy = new RecordingProxy(host.EndPoint);
        const int plainSize = 150_000;
        const int secretSize = 90_001;
        string plain = folder.Write("plain.bin", Simulation.RandomFile(plainSize, 1));
        string secret = folder.Write("secret.bin", Simulation.RandomFile(secretSize, 2));

        var keyed = await TestClient.SendAsync(plain, "plain.bin", proxy.EndPoint.ToString(), new TransferSettings { Key = Key });
        var encrypted = await TestClient.SendAsync(secret, "secret.bin", proxy.EndPoint.ToString(), new TransferSettings { Key = Key, Encrypt = true });
        Assert.True(keyed.Verified, keyed.Error);
        Assert.True(encrypted.Verified, encrypted.Error);
        await Task.Delay(100); // the last Done may still be on its way through the proxy
        var recorded = proxy.Datagrams;

        string capture = folder.File("transfer.pcap");
        using (var pcap = new PcapWriter(capture))
        {
            foreach (var d in recorded)
            {
                pcap.Write(d.From, d.To, d.Bytes, d.Time);
            }
        }
        var rows = Tshark.Fields(capture, Columns);

        Assert.Equal(recorded.Count, rows.Count);
        var chunks = new Dictionary<string, HashSet<ulong>>(StringComparer.Ordinal);
        for (int i = 0; i < recorded.Count; i++)
        {
            var bytes = recorded[i].Bytes;
            var row = rows[i];
            string session = Hex(BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8)));
            Assert.Equal(bytes[2].ToString(CultureInfo.InvariantCulture), row["udpx.type"]);
            Assert.Equal(session, row["udpx.session"]);
            Assert.Equal(DatagramHeader.PacketNumberOf(bytes).ToString(CultureInfo.InvariantCulture), row["udpx.pn"]);
            // Keyed: every datagram carries a tag, the HMAC one or, on encrypted data, the GCM one.
            Assert.True(row["_ws.col.Info"].EndsWith("[authenticated]", StringComparison.Ordinal) || row["_ws.col.Info"].EndsWith("[encrypted]", StringComparison.Ordinal), row["_ws.col.Info"]);
            Assert.DoesNotContain("[malformed]", row["_ws.col.Info"], StringComparison.Ordinal);
            if ((MessageType)bytes[2] == MessageType.Data)
            {
                ulong chunk = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(Wire.HeaderSize));
                Assert.Equal(chunk.ToString(CultureInfo.InvariantCulture), row["udpx.data.chunk"]);
                int payload = bytes.Length - Wire.DataHeaderSize - 16;
                Assert.Equal(payload.ToString(CultureInfo.InvariantCulture), row["udpx.data.payload_length"]);
                Assert.StartsWith("Data chunk " + chunk + " (" + payload + " B)", row["_ws.col.Info"], StringComparison.Ordinal);
                bool isEncrypted = (bytes[3] & PayloadCipher.Flag) != 0;
                Assert.Equal(isEncrypted, row["_ws.col.Info"].Contains("[encrypted]", StringComparison.Ordinal));
                Assert.Equal(isEncrypted, row["udpx.gcm_tag"].Length > 0);
                chunks.TryAdd(session, []);
                chunks[session].Add(chunk);
            }
        }

        // Per message type, as many frames as the proxy forwarded.
        foreach (var type in Enum.GetValues<MessageType>())
        {
            string code = ((byte)type).ToString(CultureInfo.InvariantCulture);
            Assert.Equal(recorded.Count(d => d.Bytes[2] == (byte)type), rows.Count(r => r["udpx.type"] == code));
        }
        // Two sessions, each with every chunk of its file, each offered under its name and ended with Done ok.
        Assert.Equal(2, chunks.Count);
        var chunkCounts = chunks.Values.Select(c => c.Count).Order().ToArray();
        int chunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize) - DatagramAuthenticator.TagSize;
        Assert.Equal(new[] { (secretSize + chunkSize - 1) / chunkSize, (plainSize + chunkSize - 1) / chunkSize }.Order(), chunkCounts);
        Assert.All(chunks.Values, c => Assert.Equal(Enumerable.Range(0, c.Count).Select(i => (ulong)i), c.Order()));
        Assert.Contains(rows, r => r["udpx.offer.name"] == "plain.bin" && r["udpx.offer.file_size"] == "150000" && r["udpx.offer.flags.encrypted"] == "0");
        Assert.Contains(rows, r => r["udpx.offer.name"] == "secret.bin" && r["udpx.offer.flags.encrypted"] == "1");
        Assert.Equal(2, rows.Where(r => r["udpx.type"] == "8" && r["udpx.reason"] == "0").Select(r => r["udpx.session"]).Distinct().Count());
        Assert.Contains(rows, r => r["_ws.col.Info"].StartsWith("Ack cum ", StringComparison.Ordinal));

        // The shell check that CI runs on link captures agrees, and fails when what it expects is not there.
        var (exit, said) = SystemCommand.Run("bash", [Tshark.CheckScript, capture, "--complete", "--expect-name", "plain.bin", "--expect-name", "secret.bin", "--expect-sessions", "2"]);
        Assert.True(exit == 0, said);
        Assert.Contains("\"plain.bin\" 146.5 KiB, accepted, " + chunkCounts[1] + " of " + chunkCounts[1] + " chunks seen", said, StringComparison.Ordinal);
        Assert.Contains("\"secret.bin\" 87.9 KiB, accepted, " + chunkCounts[0] + " of " + chunkCounts[0] + " chunks seen", said, StringComparison.Ordinal);
        Assert.Contains("Data " + recorded.Count(d => d.Bytes[2] == (byte)MessageType.Data), said, StringComparison.Ordinal);
        (exit, said) = SystemCommand.Run("bash", [Tshark.CheckScript, capture, "--expect-name", "missing.bin"]);
        Assert.True(exit == 1, said);
        Assert.Contains("no complete session for missing.bin", said, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_loopback_capture_of_a_real_transfer_decodes_every_chunk_GSO_bundles_included()
    {
        Skip.IfNot(Tshark.IsInstalled, Tshark.SkipReason);
        Skip.IfNot(PacketCapture.IsAvailable, PacketCapture.Unavailable);
        using var folder = new TempFolder();
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder.File("received"), new ServerOptions());
        const int size = 400_000;
        string file = folder.Write("lo.bin", Simulation.RandomFile(size, 3));
        string capture = folder.File("lo.pcapng");

        TransferResult result;
        var tcpdump = PacketCapture.Start(capture, host.EndPoint.Port);
        using (tcpdump)
        {
            result = await TestClient.SendAsync(file, "lo.bin", host.EndPoint.ToString());
            // The last Done, which the client does not wait for.
            await Task.Delay(1500);
        }
        Assert.True(result.Verified, result.Error);
        tcpdump.AssertNothingDropped();
        var rows = Tshark.Fields(capture, Columns);

        var chunks = rows.Where(r => r["udpx.data.chunk"].Length > 0).SelectMany(r => r["udpx.data.chunk"].Split(';')).Select(ulong.Parse).ToHashSet();
        int chunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize);
        Assert.True(Enumerable.Range(0, (size + chunkSize - 1) / chunkSize).Select(i => (ulong)i).SequenceEqual(chunks.Order()),
            "not every chunk decoded:\n" + string.Join('\n', rows.Select(r => r["frame.number"] + " " + r["_ws.col.Info"])));
        Assert.All(rows, r => Assert.DoesNotContain("[malformed]", r["_ws.col.Info"], StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Single(r["udpx.session"].Split(';').Distinct()));
        Assert.Single(rows.Select(r => r["udpx.session"].Split(';')[0]).Distinct());
        Assert.Contains(rows, r => r["_ws.col.Info"] == "Offer \"lo.bin\" 390.6 KiB");
        Assert.Contains(rows, r => r["_ws.col.Info"] == "Done: ok, 390.6 KiB stored");
        Assert.Equal(result.DatagramsSent, rows.Where(r => r["udpx.type"].Length > 0 && IsFromClient(r["udpx.type"])).Sum(r => r["udpx.type"].Split(';').Length));
    }

    [SkippableFact]
    public async Task A_capture_in_the_namespace_lab_on_a_random_port_matches_what_the_transfer_logged()
    {
        Skip.IfNot(Tshark.IsInstalled, Tshark.SkipReason);
        string? why = NetworkLab.WhyUnavailable();
        Skip.If(why is not null, why);
        Skip.IfNot(PacketCapture.IsAvailable, PacketCapture.Unavailable);
        using var folder = new TempFolder();
        using var lab = NetworkLab.Create(lossOneIn: 10);
        int port = Random.Shared.Next(20_000, 60_000);
        string bind = NetworkLab.ServerAddresses[0] + ":" + port.ToString(CultureInfo.InvariantCulture);
        string source = folder.Write("image1.jpg", Simulation.RandomFile(700_000, 5));
        string capture = folder.File("lab.pcapng");

        string stdout;
        // On the server's eth0: the capture sees every datagram that arrives, the ones nftables then drops too.
        var tcpdump = PacketCapture.Start(capture, port, "eth0", lab.Servers[0]);
        using (tcpdump)
        {
            var (server, _) = await UdpxChild.ServeAsync(lab.Servers[0], bind, folder.File("server0"));
            using (server)
            {
                using var client = UdpxChild.Start(lab.Client, ["send", source, "--to", bind, "--connect-timeout", "30", "--json"]);
                var (code, output, errors) = await client.WaitForExitAsync(TimeSpan.FromMinutes(3));
                Assert.True(code == 0, "exit " + code + ": " + output + errors);
                stdout = output;
                await Task.Delay(1500); // the last Done
            }
        }
        tcpdump.AssertNothingDropped();
        using var report = System.Text.Json.JsonDocument.Parse(stdout);
        var transfer = report.RootElement.GetProperty("transfers")[0];
        long sent = transfer.GetProperty("datagramsSent").GetInt64();
        long retransmitted = transfer.GetProperty("retransmitted").GetInt64();
        var rows = Tshark.Fields(capture, Columns);

        // What the client logged is what the capture shows: every datagram it sent, every chunk once plus its retransmissions.
        var types = rows.SelectMany(r => r["udpx.type"].Split(';', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(sent, types.Count(t => IsFromClient(t)));
        int chunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize);
        int chunks = (700_000 + chunkSize - 1) / chunkSize;
        Assert.Equal(chunks + retransmitted, types.Count(t => t == "6"));
        Assert.Single(rows.SelectMany(r => r["udpx.session"].Split(';', StringSplitOptions.RemoveEmptyEntries)).Distinct());
        var (exit, said) = SystemCommand.Run("bash", [Tshark.CheckScript, capture, "--complete", "--expect-name", "image1.jpg", "--expect-sessions", "1"]);
        Assert.True(exit == 0, said);
        Assert.Contains("accepted, " + chunks + " of " + chunks + " chunks seen in " + (chunks + retransmitted) + " data datagrams, Done: ok", said, StringComparison.Ordinal);
    }

    private static bool IsFromClient(string types) =>
        (MessageType)byte.Parse(types.Split(';')[0], CultureInfo.InvariantCulture) is MessageType.Hello or MessageType.Offer or MessageType.Data or MessageType.Finish or MessageType.Abort;

    private byte[] Take(int length) => _buffer[..length];

    private byte[] Hello(ulong pn) => Take(MessageCodec.WriteHello(_buffer, new HelloMessage(Session, 123_456_789, pn)));

    private byte[] Data(ulong chunk, ulong pn, int payload) => Take(DataLength(chunk, pn, payload));

    private int DataLength(ulong chunk, ulong pn, int payload)
    {
        MessageCodec.WriteDataHeader(_buffer, Session, chunk, 4242, pn);
        new Random((int)chunk).NextBytes(MessageCodec.DataPayload(_buffer)[..payload]);
        return MessageCodec.SealData(_buffer, payload);
    }

    private byte[] EncryptedData(PayloadCipher cipher, ulong chunk, ulong pn, int payload)
    {
        int length = DataLength(chunk, pn, payload);
        return Take(cipher.Seal(_buffer, length));
    }

    private byte[] Signed(DatagramAuthenticator auth, int length) => Take(auth.Sign(_buffer, length));

    /// <summary>Cumulative 1200; held above it: 1201-1263, 1270, 1300-1320.</summary>
    private byte[] AckWithRanges(ulong pn)
    {
        var bitmap = new byte[16];
        foreach (var (from, to) in new[] { (1201, 1263), (1270, 1270), (1300, 1320) })
        {
            for (int chunk = from; chunk <= to; chunk++)
            {
                int bit = chunk - 1201;
                bitmap[bit / 8] |= (byte)(1 << (bit % 8));
            }
        }
        return Take(MessageCodec.WriteAck(_buffer, Session, pn, 1299, 1200, 4242, 5, bitmap));
    }

    private static byte[] Patched(byte[] datagram, int offset, params byte[] bytes)
    {
        var copy = (byte[])datagram.Clone();
        bytes.CopyTo(copy, offset);
        return copy;
    }

    private static string Write(TempFolder folder, List<(byte[] Bytes, bool FromClient)> datagrams)
    {
        string path = folder.File("capture.pcap");
        using var pcap = new PcapWriter(path);
        var time = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        foreach (var (bytes, fromClient) in datagrams)
        {
            time = time.AddMilliseconds(1);
            pcap.Write(fromClient ? Client : Server, fromClient ? Server : Client, bytes, time);
        }
        return path;
    }

    private static string Hex(ulong value) => "0x" + value.ToString("x16", CultureInfo.InvariantCulture);

    private static string Colonless(string bytes) => bytes.Replace(":", string.Empty, StringComparison.Ordinal);
}
