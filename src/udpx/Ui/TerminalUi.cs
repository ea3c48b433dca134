using Udpx.Demo;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Server;

namespace Udpx.Ui;

/// <summary>Entry points of the terminal UI. (Placeholder until the Terminal.Gui screens land: headless only.)</summary>
internal static class TerminalUi
{
    public static bool IsInteractive => false;

    public static void RunServer(ServerProtocol protocol, DatagramRing stream, CancellationTokenSource quit)
    {
        _ = protocol;
        _ = stream;
        quit.Token.WaitHandle.WaitOne();
    }

    public static Task RunSendAsync(ITransferDispatcher dispatcher, IReadOnlyList<TransferHandle> handles, CancellationToken cancellationToken) =>
        dispatcher.RunAsync(handles, cancellationToken);

    public static Task<int> RunDemoAsync(DemoScenario scenario, IReadOnlyList<ConcurrencyMode> modes, int workers, TransferSettings settings, CancellationToken cancellationToken)
    {
        _ = (scenario, modes, workers, settings, cancellationToken);
        return Task.FromResult(0);
    }
}
