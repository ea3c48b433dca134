using System.Globalization;
using System.Net.Sockets;
using Udpx.Common;

namespace Udpx.Relay;

/// <summary>
/// <c>udpx relay</c> from parsed options to exit code: starts the relay, reports what it does,
/// prints counters every <see cref="RelayOptions.StatsInterval"/> if asked, and on cancellation
/// stops and prints the final counters. Exit codes are the one set of udpx (Common/ExitCodes).
/// </summary>
internal static class RelayRunner
{
    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; errors go to standard error.</summary>
    public static Task<int> RunAsync(RelayOptions options, TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(options, output, Console.Error, TimeProvider.System, cancellationToken);

    /// <summary>As above, with the error writer and the clock given (tests).</summary>
    public static async Task<int> RunAsync(
        RelayOptions options, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(time);

        var relay = new UdpRelay(options, time);
        await using (relay)
        {
            try
            {
                relay.Start();
            }
            catch (SocketException exception)
            {
                await error.WriteLineAsync(Invariant($"udpx relay: cannot listen on {options.Listen}: {Explain(exception)}"));
                return ExitCodes.NetworkError;
            }

            await output.WriteLineAsync(Invariant(
                $"udpx relay: listening on {relay.ListenEndPoint}, forwarding to {options.Server}, seed {relay.Seed}"));
            await output.WriteLineAsync("  client->server: " + options.ClientToServer.Describe());
            await output.WriteLineAsync("  server->client: " + options.ServerToClient.Describe());
            await output.FlushAsync(CancellationToken.None);

            try
            {
                if (options.StatsInterval > TimeSpan.Zero)
                {
                    using var ticks = new PeriodicTimer(options.StatsInterval, time);
                    while (await ticks.WaitForNextTickAsync(cancellationToken))
                    {
                        RelayReport.Write(output, "counters", relay.GetStatistics());
                        await output.FlushAsync(CancellationToken.None);
                    }
                }
                else
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or the caller's cancellation: the normal way to stop.
            }

            await relay.StopAsync();
            RelayReport.Write(output, "stopped", relay.GetStatistics());
            await output.FlushAsync(CancellationToken.None);
            return ExitCodes.Ok;
        }
    }

    private static string Explain(SocketException exception) => exception.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "the port is in use; choose another port or stop the program holding it",
        SocketError.AddressNotAvailable => "that address is not on this machine; use one of its addresses or 0.0.0.0",
        SocketError.AccessDenied => "permission denied; ports below 1024 need root",
        _ => exception.Message,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
