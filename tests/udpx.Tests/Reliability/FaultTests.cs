using System.Net;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Faults around a transfer: a client or a server killed in the middle, the same name sent twice in a
/// row, two clients sending the same name at once. Nothing half-written ever appears under a final name,
/// no temporary file outlives its session, and the next transfer works.
/// </summary>
public sealed class FaultTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = new();

    public FaultTests() => Directory.CreateDirectory(_folder.File("source"));

    [Fact]
    public async Task A_client_killed_mid_transfer_leaves_nothing_once_the_server_expires_its_session()
    {
        string outDir = _folder.File("out");
        string source = _folder.Write(Path.Combine("source", "big.bin"), Simulation.RandomFile(4_000_000, 1));
        // --keep-partial 0: nothing is kept for a resume (ResumeTests cover what is kept by default).
        var (server, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", outDir, "--idle-timeout", "2", "--verbosity", "stream", "--keep-partial", "0");
        using (server)
        {
            using (var client = UdpxChild.Start(null, "send", source, "--to", "127.0.0.1:" + port, "--mode", "thread", "--rate", "400k", "--headless"))
            {
                await server.WaitForEventAsync(e => e.Event == "stream" && e.Name == "big.bin" && e.Bytes > 0, Patience);
                Assert.False(client.HasExited, "the transfer ended before it could be interrupted");
                client.Kill();
            }

            var failed = await server.WaitForEventAsync(e => e.Event == "failed" && e.Name == "big.bin", Patience);

            Assert.Equal("no datagram from the client for 2 s", failed.Reason);
            Assert.InRange(failed.Bytes!.Value, 1, 4_000_000 - 1);
            Assert.False(File.Exists(Path.Combine(outDir, "big.bin")));
            // The temporary file is deleted off the receive thread (IIncomingFile.Discard), so it may still be
            // there when the event is printed; it must go without anything else happening.
            bool emptied = await TestClient.EventuallyAsync(() => !Directory.EnumerateFileSystemEntries(outDir).Any(), Patience);
            Assert.True(emptied, "left behind: " + string.Join(", ", Directory.EnumerateFileSystemEntries(outDir)));
            Assert.False(server.HasExited);
        }
    }

    [Fact]
    public async Task A_server_killed_mid_transfer_and_restarted_removes_its_stale_file_and_a_resend_succeeds()
    {
        string outDir = _folder.File("out");
        byte[] bytes = Simulation.RandomFile(3_000_000, 2);
        string source = _folder.Write(Path.Combine("source", "big.bin"), bytes);
        var (first, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", outDir, "--verbosity", "stream");
        string bind = "127.0.0.1:" + port;
        var server = first;
        try
        {
            // Twice: each kill leaves a temporary file behind; each restart must clear it, so none pile up.
            for (int round = 0; round < 2; round++)
            {
                using var client = UdpxChild.Start(null, "send", source, "--to", bind, "--mode", "thread", "--rate", "500k", "--headless");
                await server.WaitForEventAsync(e => e.Event == "stream" && e.Name == "big.bin" && e.Bytes > 0, Patience);
                server.Kill();
                server.Dispose();
                var stale = Directory.GetFiles(outDir, ".udpx-*.udpx-part");
                Assert.Single(stale);
                // Marked, since the client's next attempt may make a new file under the same name at once.
                using (var marked = File.OpenWrite(stale[0]))
                {
                    marked.Write("stale-marker"u8);
                }

                (server, _) = await UdpxChild.ServeAsync(null, bind, outDir, "--verbosity", "stream");

                Assert.False(StillMarked(stale[0]), "the restarted server left the stale temporary file");
                var (code, output, _) = await client.WaitForExitAsync(Patience);
                // The restarted server knows nothing of the session: it says so, and the client starts over
                // cleanly with a new session, so the file still ends identical.
                Assert.True(code == 0, output);
                Assert.Matches("big.bin -> " + bind + ": ok", output);
                Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(outDir, "big.bin")));
                Assert.Empty(Directory.GetFiles(outDir, ".udpx-*"));
                File.Delete(Path.Combine(outDir, "big.bin"));
                // A fresh server for the next round, so that its events are the next round's only.
                server.Kill();
                server.Dispose();
                (server, _) = await UdpxChild.ServeAsync(null, bind, outDir, "--verbosity", "stream");
            }

            var (resendCode, resendOutput, resendError) = await UdpxProcessRunAsync("send", source, "--to", bind, "--mode", "thread", "--headless");

            Assert.True(resendCode == 0, resendOutput + resendError);
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(outDir, "big.bin")));
            Assert.Equal(["big.bin"], Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName));
        }
        finally
        {
            server.Dispose();
        }
    }

    [Fact]
    public async Task The_same_name_sent_twice_in_a_row_keeps_the_first_without_overwrite()
    {
        using var host = StartServer();
        var (_, first, _, stored, two) = await SendSameNameTwiceAsync(host);
        Assert.False(two.Verified);
        Assert.Contains(Udpx.Protocol.RejectReasonText.Describe(Udpx.Protocol.RejectReason.Exists), two.Error, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllBytes(stored));
        Assert.Equal(["same.bin"], Directory.EnumerateFileSystemEntries(host.Store.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task The_same_name_sent_twice_in_a_row_is_replaced_by_the_second_with_overwrite()
    {
        using var host = StartServer(new ServerOptions { Overwrite = true });
        var (source, first, second, stored, two) = await SendSameNameTwiceAsync(host);
        Assert.True(two.Verified, two.Error);
        Assert.Equal(second, File.ReadAllBytes(stored));

        var three = await TestClient.SendAsync(source, "same.bin", host.EndPoint.ToString());
        Assert.True(three.Verified, three.Error);
        Assert.Equal(second, File.ReadAllBytes(stored));
        Assert.Equal(["same.bin"], Directory.EnumerateFileSystemEntries(host.Store.Directory).Select(Path.GetFileName));
    }

    /// <summary>Sends one source path, then the same path with new contents: the first must arrive; the second's result is returned.</summary>
    private async Task<(string Source, byte[] First, byte[] Second, string Stored, TransferResult Two)> SendSameNameTwiceAsync(ServerHost host)
    {
        string source = _folder.File(Path.Combine("source", "same.bin"));
        byte[] first = Simulation.RandomFile(300_000, 3);
        byte[] second = Simulation.RandomFile(200_000, 4);
        string stored = Path.Combine(host.Store.Directory, "same.bin");

        await File.WriteAllBytesAsync(source, first);
        var one = await TestClient.SendAsync(source, "same.bin", host.EndPoint.ToString());
        Assert.True(one.Verified, one.Error);
        Assert.Equal(first, File.ReadAllBytes(stored));

        await File.WriteAllBytesAsync(source, second);
        var two = await TestClient.SendAsync(source, "same.bin", host.EndPoint.ToString(), mode: ConcurrencyMode.ThreadAsync);
        return (source, first, second, stored, two);
    }

    [Fact]
    public async Task A_second_client_sending_a_name_in_progress_is_refused_and_the_first_is_stored_whole()
    {
        using var host = StartServer();
        string server = host.EndPoint.ToString();
        byte[] firstBytes = Simulation.RandomFile(2_000_000, 5);
        byte[] secondBytes = Simulation.RandomFile(2_000_000, 6);
        string firstSource = _folder.Write(Path.Combine("source", "a"), firstBytes);
        string secondSource = _folder.Write(Path.Combine("source", "b"), secondBytes);

        var first = TestClient.SendAsync(firstSource, "shared.bin", server, new TransferSettings { RateBytesPerSecond = 1_000_000 });
        Assert.True(await TestClient.EventuallyAsync(() => host.Protocol.Sessions.Any(s => s.Name == "shared.bin" && s.BytesReceived > 0), Patience), "the first transfer never started");
        var second = await TestClient.SendAsync(secondSource, "shared.bin", server);
        bool firstStillRunning = !first.IsCompleted;
        var firstResult = await first;

        Assert.True(firstStillRunning, "the first transfer ended before the second offered; nothing was tested");
        Assert.False(second.Verified);
        Assert.Contains("another transfer of this name is in progress", second.Error, StringComparison.Ordinal);
        Assert.True(firstResult.Verified, firstResult.Error);
        Assert.Equal(firstBytes, File.ReadAllBytes(Path.Combine(host.Store.Directory, "shared.bin")));
        Assert.Empty(Directory.EnumerateFiles(host.Store.Directory, ".udpx-*"));
    }

    [Fact]
    public async Task Two_clients_starting_the_same_name_together_store_exactly_one_of_the_two_files()
    {
        using var host = StartServer();
        var sources = new[] { (Seed: 7, Name: "a"), (Seed: 8, Name: "b") }
            .Select(s => _folder.Write(Path.Combine("source", s.Name), Simulation.RandomFile(1_500_000, s.Seed)))
            .ToList();
        var settings = new TransferSettings { RateBytesPerSecond = 1_000_000 };
        var handles = Integration.LoopbackServers.Handles(sources.Select((path, i) => new TransferJob(i, path, "race.bin", host.EndPoint.ToString(), settings)));

        await DispatcherFactory.Create(ConcurrencyMode.Thread, 2, TimeSpan.FromMinutes(2)).RunAsync(handles, CancellationToken.None);

        var results = handles.Select(h => h.Result!).ToList();
        var winner = Assert.Single(results, r => r.Verified);
        var loser = Assert.Single(results, r => !r.Verified);
        Assert.Contains("another transfer of this name is in progress", loser.Error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(sources[winner.JobId]), File.ReadAllBytes(Path.Combine(host.Store.Directory, "race.bin")));
        Assert.Equal(["race.bin"], Directory.EnumerateFileSystemEntries(host.Store.Directory).Select(Path.GetFileName));
    }

    /// <summary>The stale file is still there with its marker (a file the new server holds open, or none, is not).</summary>
    private static bool StillMarked(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            byte[] head = new byte[12];
            return stream.Read(head) == head.Length && head.AsSpan().SequenceEqual("stale-marker"u8);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private ServerHost StartServer(ServerOptions? options = null) =>
        ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("out"), options ?? new ServerOptions());

    private static Task<(int ExitCode, string Out, string Err)> UdpxProcessRunAsync(params string[] args) =>
        Integration.UdpxProcess.RunAsync(Patience, args);

    public void Dispose() => _folder.Dispose();
}
