using System.Runtime.InteropServices;
using System.Text;
using Udpx.Common;
using Udpx.Modes;

namespace Udpx.Cli;

/// <summary>
/// The worker verb's way in, taken before any command tree is built. A process-mode parent starts one child per
/// transfer as exactly <c>udpx worker</c>; System.CommandLine's root command alone reads its help texts through
/// the resource manager and reflection, a cost every child paid before its first job line. Anything after
/// "worker" (<c>--help</c>, a typo) still goes through the parser.
/// </summary>
internal static class WorkerEntry
{
    /// <summary>How long a signalled worker may take to abort its transfer before it exits anyway (System.CommandLine's default).</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(2);

    /// <summary>128 + SIGTERM, as the parser's own handler exits; the hidden verb's code, not one the README documents.</summary>
    private const int TerminatedExitCode = 143;

    public static bool Takes(string[] args) => args is [WorkerLaunch.Verb];

    /// <summary>Runs the worker loop on standard input and output, Ctrl-C and SIGTERM cancelling the transfer as under the parser.</summary>
    public static int Run()
    {
        using var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        return Run(input, Console.OpenStandardOutput());
    }

    public static int Run(TextReader input, Stream output)
    {
        using var cancel = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Abort(context, cancel, ExitCodes.Interrupted));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Abort(context, cancel, TerminatedExitCode));
        return WorkerHost.Run(input, output, cancel.Token);
    }

    private static void Abort(PosixSignalContext context, CancellationTokenSource cancel, int exitCode)
    {
        // Not the default action (dying mid-session): cancel, let the transfer abort its session, exit if it will not.
        context.Cancel = true;
        cancel.Cancel();
        _ = Task.Delay(AbortGrace, CancellationToken.None).ContinueWith(_ => Environment.Exit(exitCode), TaskScheduler.Default);
    }
}
