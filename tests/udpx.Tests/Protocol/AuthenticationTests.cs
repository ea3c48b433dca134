using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

public sealed class AuthenticationTests
{
    private static readonly PreSharedKey Key = PreSharedKey.FromBytes("correct horse battery staple"u8.ToArray());
    private static readonly PreSharedKey OtherKey = PreSharedKey.FromBytes("another key entirely"u8.ToArray());

    [Fact]
    public void With_the_same_key_on_both_sides_a_lossy_transfer_completes()
    {
        var sim = new Simulation(new ScriptedChannel(1) { Loss = 0.1, Corrupt = 0.01 }, new ScriptedChannel(2) { Loss = 0.1 }, new ServerOptions { Key = Key });
        byte[] file = Simulation.RandomFile(500_000, 1);

        var sender = sim.Run(file, options: new SenderOptions { Key = Key });

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        Assert.Equal(0, sim.Server.Stats.Unauthenticated);
    }

    [Fact]
    public void With_encryption_the_file_bytes_never_cross_the_link_in_clear_and_still_arrive_identical()
    {
        // A recognisable file: 16-byte blocks of one marker, so any stretch of plaintext on the wire shows.
        byte[] file = new byte[300_000];
        for (int i = 0; i < file.Length; i++)
        {
            file[i] = (byte)"UDPX-PLAINTEXT!!"[i % 16];
        }
        var wire = new List<byte[]>();
        var toServer = new ScriptedChannel(5) { Loss = 0.05, Tap = wire.Add };
        var sim = new Simulation(toServer, new ScriptedChannel(6), new ServerOptions { Key = Key });

        var sender = sim.Run(file, options: new SenderOptions { Key = Key, Encrypt = true });

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        var data = wire.Where(d => d[2] == (byte)MessageType.Data).ToList();
        Assert.NotEmpty(data);
        Assert.All(data, d => Assert.Equal(PayloadCipher.Flag, (byte)(d[3] & PayloadCipher.Flag)));
        Assert.DoesNotContain(data, d => d.AsSpan().IndexOf("UDPX-PLAINTEXT!!"u8) >= 0);
    }

    [Fact]
    public void An_encrypted_datagram_with_one_bit_changed_is_rejected_even_when_resealed()
    {
        using var client = new PayloadCipher(Key, 77, 1, 2);
        using var server = new PayloadCipher(Key, 77, 1, 2);
        using var otherSession = new PayloadCipher(Key, 78, 1, 2);
        byte[] buffer = new byte[2048];
        byte[] plain = new byte[2048];
        MessageCodec.WriteDataHeader(buffer, 77, 3, 12345);
        "secret file bytes"u8.CopyTo(MessageCodec.DataPayload(buffer));
        int n = client.Seal(buffer, MessageCodec.SealData(buffer, 17));
        Assert.True(server.TryOpen(buffer.AsSpan(0, n), plain, out int length));
        Assert.Equal("secret file bytes"u8.ToArray(), plain.AsSpan(Wire.DataHeaderSize, length - Wire.DataHeaderSize).ToArray());
        Assert.False(otherSession.TryOpen(buffer.AsSpan(0, n), plain, out _));
        for (int i = 0; i < n; i++)
        {
            if (i is >= 4 and < 8)
            {
                continue;
            }
            byte[] copy = buffer[..n];
            copy[i] ^= 0x01;
            Checksum.Seal(copy);
            Assert.False(server.TryOpen(copy, plain, out _), "byte " + i);
        }
    }

    [Fact]
    public void A_client_with_the_wrong_key_gets_nothing_and_is_counted()
    {
        var sim = new Simulation(new ScriptedChannel(1), new ScriptedChannel(2), new ServerOptions { Key = Key });
        var sender = sim.Run(Simulation.RandomFile(10_000, 1), options: new SenderOptions { Key = OtherKey, ConnectTimeout = TimeSpan.FromSeconds(2) });

        Assert.False(sender.Outcome.Verified);
        Assert.True(sim.Server.Stats.Unauthenticated > 0);
        Assert.Empty(sim.Server.Sessions);
        Assert.Empty(sim.Store.Committed);
    }

    [Fact]
    public void A_client_without_a_key_is_refused_by_a_keyed_server()
    {
        var sim = new Simulation(new ScriptedChannel(1), new ScriptedChannel(2), new ServerOptions { Key = Key });
        var sender = sim.Run(Simulation.RandomFile(10_000, 1), options: new SenderOptions { ConnectTimeout = TimeSpan.FromSeconds(2) });

        Assert.False(sender.Outcome.Verified);
        Assert.True(sim.Server.Stats.Unauthenticated > 0);
        Assert.Empty(sim.Server.Sessions);
    }

    [Fact]
    public void A_signed_datagram_with_one_bit_changed_fails_verification_even_when_resealed()
    {
        var client = DatagramAuthenticator.ForClient(Key);
        var server = DatagramAuthenticator.ForServer(Key);
        byte[] buffer = new byte[2048];
        MessageCodec.WriteDataHeader(buffer, 5, 9, 1);
        int n = client.Sign(buffer, MessageCodec.SealData(buffer, 300));
        Assert.True(server.Verify(buffer.AsSpan(0, n), out int inner));
        Assert.Equal(Wire.DataHeaderSize + 300, inner);
        for (int i = 0; i < n; i++)
        {
            if (i is >= 4 and < 8)
            {
                continue;
            }
            byte[] copy = buffer[..n];
            copy[i] ^= 0x10;
            Checksum.Seal(copy);
            Assert.False(server.Verify(copy, out _), "byte " + i);
        }
        // A server's datagram cannot be passed off as a client's.
        Assert.False(client.Verify(buffer.AsSpan(0, n), out _));
    }

    [Fact]
    public void The_key_is_read_from_a_file_or_the_environment_and_short_keys_are_refused()
    {
        using var folder = new TempFolder();
        string file = folder.Write("key", "s3cret-s3cret-s3cret\n"u8.ToArray());
        var fromFile = PreSharedKey.Load(file)!;
        Assert.Equal(Path.GetFullPath(file), fromFile.File);
        Assert.DoesNotContain("s3cret", fromFile.Source, StringComparison.Ordinal);
        string shortFile = folder.Write("short", "abc"u8.ToArray());
        Assert.Throws<ArgumentException>(() => PreSharedKey.Load(shortFile));
        Assert.Throws<ArgumentException>(() => PreSharedKey.Load(folder.File("missing")));
    }

    [Fact]
    public void A_key_of_fewer_than_16_bytes_is_refused_with_advice_and_16_are_enough()
    {
        using var folder = new TempFolder();
        // 15 bytes of key; the newline is not key material.
        string fifteen = folder.Write("fifteen", "0123456789abcde\n"u8.ToArray());
        var refused = Assert.Throws<ArgumentException>(() => PreSharedKey.Load(fifteen));
        Assert.Contains("holds 15 bytes of key, fewer than 16", refused.Message, StringComparison.Ordinal);
        Assert.Contains("udpx keygen FILE", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(PreSharedKey.Load(folder.Write("sixteen", "0123456789abcdef\n"u8.ToArray())));
    }

    [Fact]
    public void A_binary_key_file_keeps_every_byte_that_is_not_a_trailing_newline()
    {
        using var folder = new TempFolder();
        // Zero bytes, spaces and high bytes are key material: nothing is decoded or trimmed but CR/LF at the end.
        byte[] secret = [0x00, 0x20, 0xff, 0x0a, 0x00, 0x09, 0x20, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x20];
        var loaded = PreSharedKey.Load(folder.Write("binary", secret))!;
        Assert.Equal(PreSharedKey.FromBytes(secret).ClientToServer, loaded.ClientToServer);
        var withNewline = PreSharedKey.Load(folder.Write("binary-lf", [.. secret, 0x0a]))!;
        Assert.Equal(loaded.ClientToServer, withNewline.ClientToServer);
    }
}
