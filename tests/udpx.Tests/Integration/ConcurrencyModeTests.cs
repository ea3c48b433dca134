using System.Net;
using System.Net.Sockets;
using Udpx.Client;
using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Tests.Integration;

/// <summary>Each of the four modes over real loopback sockets, to two real servers.</summary>
public sealed class ConcurrencyModeTests
{
    [Theory]
    [InlineData("process")]
    [InlineData("thread")]
    [InlineData("process-async")]
    [InlineData("thread-async")]
    public async Task Several_files_arrive_identical_on_the_server_they_were_assigned_to(string modeName)
    {
        Assert.True(ConcurrencyModeNames.TryParse(modeName, out var mode));
        using var servers = new LoopbackServers();
        int[] sizes = [0, 1, 1444, 1445, 300_000, 2_000_003];
        var files = sizes.Select((size, i) => servers.MakeFile("f" + i + ".bin", size, i)).ToList();
        var sources = files.Select(p => new SourceFile(p, Path.GetFileName(p), new FileInfo(p).Length)).ToList();
        var jobs = SendPlan.Assign(sources, servers.Addresses, each: false, new TransferSettings());
        var handles = LoopbackServers.Handles(jobs);

        await DispatcherFactory.Create(mode, workers: 2, TimeSpan.FromMinutes(2)).RunAsync(handles, CancellationToken.None);

        for (int i = 0; i < files.Count; i++)
        {
            var result = handles[i].Result;
            Assert.NotNull(result);
            Assert.True(result.Verified, result.Error);
            Assert.NotEqual(0UL, result.SessionId); // carried back from worker processes too
            int server = i % 2;
            Assert.Equal(servers.Addresses[server], result.Server);
            Assert.Equal(File.ReadAllBytes(files[i]), File.ReadAllBytes(servers.ReceivedPath(server, sources[i].Name)));
            Assert.False(File.Exists(servers.ReceivedPath(1 - server, sources[i].Name)), "file went to the wrong server too");
            bool inChild = mode is ConcurrencyMode.Process or ConcurrencyMode.ProcessAsync;
            Assert.Equal(inChild, result.ProcessId != Environment.ProcessId);
        }
        Assert.All(servers.Hosts, h => Assert.Empty(Directory.EnumerateFiles(h.Store.Directory, ".udpx-*")));
    }

    [Theory]
    [InlineData("process")]
    [InlineData("thread")]
    [InlineData("process-async")]
    [InlineData("thread-async")]
    public async Task The_job_timeout_ends_a_transfer_in_every_mode_with_its_reason(string modeName)
    {
        Assert.True(ConcurrencyModeNames.TryParse(modeName, out var mode));
        using var servers = new LoopbackServers();
        var source = servers.MakeFile("slow.bin", 2_000_000, 3);
        var sources = new[] { new SourceFile(source, "slow.bin", 2_000_000) };
        // 100 kB/s: 20 s of work, 1 s allowed. The dispatcher's own future timeout is far away: the engine must act.
        var settings = new TransferSettings { RateBytesPerSecond = 100_000, JobTimeout = TimeSpan.FromSeconds(1) };
        var handles = LoopbackServers.Handles(SendPlan.Assign(sources, servers.Addresses.Take(1).ToList(), each: false, settings));

        await DispatcherFactory.Create(mode, workers: 1, TimeSpan.FromMinutes(2)).RunAsync(handles, CancellationToken.None);

        var result = handles[0].Result!;
        Assert.False(result.Verified);
        Assert.Contains("--job-timeout", result.Error);
        Assert.False(File.Exists(servers.ReceivedPath(0, "slow.bin")));
    }

    [Fact]
    public async Task More_files_at_once_than_the_server_takes_from_one_address_all_arrive_as_slots_free_up()
    {
        // Two sessions per address at a time, eight transfers at once: six hear "server busy" and ask again. (Not
        // thread mode: it lets only the core count of a server's transfers send at a time.)
        using var servers = new LoopbackServers(count: 1, options: new Udpx.Server.ServerOptions { MaxSessionsPerHost = 2 });
        var sources = Enumerable.Range(0, 8).Select(i => servers.MakeFile("busy" + i, 200_000 + i, i)).Select(p => new SourceFile(p, Path.GetFileName(p), new FileInfo(p).Length)).ToList();
        var handles = LoopbackServers.Handles(SendPlan.Assign(sources, servers.Addresses, each: false, new TransferSettings { RateBytesPerSecond = 2_000_000 }));

        await DispatcherFactory.Create(ConcurrencyMode.ThreadAsync, workers: 8, TimeSpan.FromMinutes(2)).RunAsync(handles, CancellationToken.None);

        Assert.All(handles, h => Assert.True(h.Result!.Verified, h.Result.Error));
        Assert.All(sources, s => Assert.Equal(File.ReadAllBytes(s.Path), File.ReadAllBytes(servers.ReceivedPath(0, s.Name))));
        Assert.True(servers.Hosts[0].Protocol.Stats.Rejected >= 1, "the per-address limit was never reached: nothing was tested");
    }

    [Fact]
    public async Task Process_async_reuses_its_pool_of_workers_for_many_jobs()
    {
        using var servers = new LoopbackServers();
        var sources = Enumerable.Range(0, 8).Select(i => servers.MakeFile("p" + i, 10_000 + i, i)).Select(p => new SourceFile(p, Path.GetFileName(p), new FileInfo(p).Length)).ToList();
        var handles = LoopbackServers.Handles(SendPlan.Assign(sources, servers.Addresses, each: false, new TransferSettings()));

        await DispatcherFactory.Create(ConcurrencyMode.ProcessAsync, workers: 2, TimeSpan.FromMinutes(2)).RunAsync(handles, CancellationToken.None);

        Assert.All(handles, h => Assert.True(h.Result!.Verified, h.Result.Error));
        Assert.Equal(2, handles.Select(h => h.Result!.ProcessId).Distinct().Count());
        Assert.All(handles, h => Assert.True(h.Counters.Snapshot().DatagramsSent > 0, "live figures came back from the worker"));
    }

    [Theory]
    [InlineData("process-async", false)]
    [InlineData("thread", false)]
    [InlineData("process", true)]
    [InlineData("thread-async", true)]
    public async Task With_a_key_file_workers_and_threads_authenticate_every_datagram(string modeName, bool encrypt)
    {
        Assert.True(ConcurrencyModeNames.TryParse(modeName, out var mode));
        using var keys = new Support.TempFolder();
        string keyFile = keys.Write("key", "a-shared-lab-secret"u8.ToArray());
        var key = Udpx.Protocol.PreSharedKey.Load(keyFile);
        using var servers = new LoopbackServers(options: new Udpx.Server.ServerOptions { Key = key });
        var sources = new[] { servers.MakeFile("k1", 300_000, 1), servers.MakeFile("k2", 5000, 2) }.Select(p => new SourceFile(p, Path.GetFileName(p), new FileInfo(p).Length)).ToList();
        var handles = LoopbackServers.Handles(SendPlan.Assign(sources, servers.Addresses, each: false, new TransferSettings { Key = key, Encrypt = encrypt }));

        await DispatcherFactory.Create(mode, 2, TimeSpan.FromMinutes(1)).RunAsync(handles, CancellationToken.None);

        Assert.All(handles, h => Assert.True(h.Result!.Verified, h.Result.Error));
        Assert.Equal(File.ReadAllBytes(sources[0].Path), File.ReadAllBytes(servers.ReceivedPath(0, "k1")));
        Assert.All(servers.Hosts, h => Assert.Equal(0, h.Protocol.Stats.Unauthenticated));
    }

    [Fact]
    public async Task A_worker_program_that_cannot_start_fails_every_job_with_the_reason()
    {
        using var servers = new LoopbackServers(count: 1);
        var sources = new[] { servers.MakeFile("w1", 100, 1), servers.MakeFile("w2", 100, 2) }.Select(p => new SourceFile(p, Path.GetFileName(p), new FileInfo(p).Length)).ToList();
        var missing = new WorkerLaunch("/nonexistent/udpx", []);
        foreach (ITransferDispatcher dispatcher in new ITransferDispatcher[] { new ProcessDispatcher(missing, TimeSpan.FromSeconds(30)), new ProcessPoolDispatcher(missing, 2, TimeSpan.FromSeconds(30)) })
        {
            var handles = LoopbackServers.Handles(SendPlan.Assign(sources, servers.Addresses, each: false, new TransferSettings()));
            await dispatcher.RunAsync(handles, CancellationToken.None);
            Assert.All(handles, h => Assert.Contains("cannot start a worker process", h.Result!.Error, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_renamed_udpx_binary_still_starts_itself_as_its_workers()
    {
        string renamed = Path.Combine(AppContext.BaseDirectory, "udpx-renamed-copy");
        File.Copy(UdpxProcess.Executable, renamed, overwrite: true);
        try
        {
            using var servers = new LoopbackServers(count: 1);
            string file = servers.MakeFile("r.bin", 50_000, 5);
            var info = new System.Diagnostics.ProcessStartInfo(renamed) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { "send", file, "--to", servers.Addresses[0], "--mode", "process" })
            {
                info.ArgumentList.Add(arg);
            }
            using var process = System.Diagnostics.Process.Start(info)!;
            string output = await process.StandardOutput.ReadToEndAsync();
            string error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, output + error);
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(servers.ReceivedPath(0, "r.bin")));
        }
        finally
        {
            File.Delete(renamed);
        }
    }

    [Fact]
    public async Task Every_file_goes_to_every_server_with_each()
    {
        using var servers = new LoopbackServers();
        var sources = new[] { servers.MakeFile("a", 5000, 1), servers.MakeFile("b", 7000, 2) }.Select(p => new SourceFile(p, Path.GetFileName(p), new FileInfo(p).Length)).ToList();
        var handles = LoopbackServers.Handles(SendPlan.Assign(sources, servers.Addresses, each: true, new TransferSettings()));
        Assert.Equal(4, handles.Count);

        await DispatcherFactory.Create(ConcurrencyMode.ThreadAsync, 4, TimeSpan.FromMinutes(1)).RunAsync(handles, CancellationToken.None);

        foreach (int server in new[] { 0, 1 })
        {
            Assert.Equal(File.ReadAllBytes(sources[0].Path), File.ReadAllBytes(servers.ReceivedPath(server, "a")));
            Assert.Equal(File.ReadAllBytes(sources[1].Path), File.ReadAllBytes(servers.ReceivedPath(server, "b")));
        }
    }

    [Theory]
    [InlineData("thread")]
    [InlineData("thread-async")]
    [InlineData("process")]
    public async Task A_server_that_is_not_running_fails_clearly_and_quickly(string modeName)
    {
        Assert.True(ConcurrencyModeNames.TryParse(modeName, out var mode));
        using var servers = new LoopbackServers(count: 0);
        string file = servers.MakeFile("x", 1000, 1);
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var settings = new TransferSettings { ConnectTimeout = TimeSpan.FromSeconds(3) };
        var handles = LoopbackServers.Handles([new TransferJob(1, file, "x", "127.0.0.1:" + port, settings)]);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await DispatcherFactory.Create(mode, 1, TimeSpan.FromMinutes(1)).RunAsync(handles, CancellationToken.None);

        var result = handles[0].Result!;
        Assert.False(result.Verified);
        Assert.Matches("refused|no answer", result.Error);
        Assert.Contains("127.0.0.1:" + port, result.Error, StringComparison.Ordinal);
        // Bounded by the connect timeout (plus a process start), never hanging.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "took " + watch.Elapsed);
    }
}
