using Udpx.Modes;

namespace Udpx.Ui.Preview;

/// <summary>
/// A hidden way to look at the screens without a network: "ui-preview server|send|demo" runs simulated
/// transfers in memory and shows them. For trying the UI by hand and in a terminal multiplexer.
/// </summary>
internal static class UiPreview
{
    private const int MiB = 1 << 20;

    public static int Run(string[] args)
    {
        string what = args.Length > 0 ? args[0] : "server";
        if (!TerminalUi.IsInteractive)
        {
            Console.Error.WriteLine("udpx ui-preview: needs a terminal on stdin and stdout");
            return 2;
        }
        using var quit = new CancellationTokenSource();
        var network = new PreviewNetwork();
        var pump = new Thread(() => network.Run(quit.Token)) { IsBackground = true, Name = "ui-preview network" };
        switch (what)
        {
            case "server":
                var server = network.AddServer("127.0.0.1:9000");
                var feeder = new Thread(() => FeedServer(network, server, quit.Token)) { IsBackground = true, Name = "ui-preview clients" };
                pump.Start();
                feeder.Start();
                TerminalUi.RunServer(server.Protocol, server.Ring, quit, "udpx server on 127.0.0.1:9000 (preview)");
                feeder.Join();
                break;
            case "send":
                var one = network.AddServer("127.0.0.1:9001");
                var two = network.AddServer("127.0.0.1:9002");
                TransferHandle[] transfers =
                [
                    network.StartTransfer(one, 1, "video.mkv", 24 * MiB, 3 * MiB),
                    network.StartTransfer(two, 2, "video.mkv", 24 * MiB, 2 * MiB),
                    network.StartTransfer(one, 3, "notes.txt", 300_000, 100_000),
                    network.StartTransfer(two, 4, "disk.img", 12 * MiB, 1 * MiB),
                ];
                pump.Start();
                TerminalUi.RunSend(transfers, ConcurrencyMode.ThreadAsync, 4, quit);
                break;
            case "demo":
                var first = network.AddServer("127.0.0.1:9001");
                var second = network.AddServer("127.0.0.1:9002");
                pump.Start();
                var runs = TerminalUi.RunDemo(
                    [new DemoServer("server 1", first.Protocol, first.Ring), new DemoServer("server 2", second.Protocol, second.Ring)],
                    (mode, cancellationToken) => StartDemoRun(network, first, second, mode, cancellationToken),
                    [ConcurrencyMode.Thread],
                    [],
                    quit);
                Console.WriteLine(runs.Count + " demo runs finished");
                break;
            default:
                Console.Error.WriteLine("udpx ui-preview: unknown screen '" + what + "'; use server, send or demo");
                return 2;
        }
        pump.Join();
        return 0;
    }

    private static void FeedServer(PreviewNetwork network, PreviewServer server, CancellationToken cancellationToken)
    {
        string[] names = ["photo.jpg", "backup.tar", "song.flac", "report.pdf"];
        int job = 0;
        var running = new List<TransferHandle>();
        while (!cancellationToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.Result is not null);
            if (running.Count < 3)
            {
                job++;
                running.Add(network.StartTransfer(server, job, names[job % names.Length], (4 + (job % 5 * 3)) * MiB, (1 + (job % 3)) * MiB));
            }
            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(700));
        }
    }

    private static LiveDemoRun StartDemoRun(PreviewNetwork network, PreviewServer first, PreviewServer second, ConcurrencyMode mode, CancellationToken cancellationToken)
    {
        // The preview cannot run the modes for real: each gets its own pace so that the table of runs has differences to show.
        long rate = (2 + (int)mode) * MiB;
        TransferHandle[] transfers =
        [
            network.StartTransfer(first, 1, "demo-a.bin", 6 * MiB, rate),
            network.StartTransfer(second, 2, "demo-a.bin", 6 * MiB, rate),
            network.StartTransfer(first, 3, "demo-b.bin", 3 * MiB, rate / 2),
            network.StartTransfer(second, 4, "demo-b.bin", 3 * MiB, rate / 2),
        ];
        long started = network.NowMicros;
        var completion = Task.Run(async () =>
        {
            while (Array.Exists(transfers, t => t.Result is null))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            double seconds = (network.NowMicros - started) / 1e6;
            long bytes = 0;
            long datagrams = 0;
            long retransmitted = 0;
            bool verified = true;
            foreach (var t in transfers)
            {
                bytes += t.Result!.Bytes;
                datagrams += t.Result.DatagramsSent;
                retransmitted += t.Result.Retransmitted;
                verified &= t.Result.Verified;
            }
            return new DemoRunSummary(mode, seconds, seconds > 0 ? bytes / seconds : 0, datagrams, retransmitted, verified);
        }, cancellationToken);
        return new LiveDemoRun(mode, mode is ConcurrencyMode.Process or ConcurrencyMode.ProcessAsync ? 2 : 4, transfers, completion);
    }
}
