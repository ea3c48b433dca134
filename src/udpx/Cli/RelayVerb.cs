using System.CommandLine;
using System.Net;
using Udpx.Common;
using Udpx.Relay;

namespace Udpx.Cli;

/// <summary>`udpx relay`: the user-space impairment proxy (see docs/relay.md).</summary>
internal static class RelayVerb
{
    public static Command Create() => Build().Command;

    /// <summary>The options of `udpx relay ARGS...`; a bad value is a <see cref="UserError"/> (exit code 2, or 4 for a name that does not resolve).</summary>
    internal static RelayOptions Parse(params string[] args)
    {
        var (command, read) = Build();
        var parsed = command.Parse(args);
        return parsed.Errors.Count > 0 ? throw new UserError(ExitCodes.Usage, parsed.Errors[0].Message) : read(parsed);
    }

    private static (Command Command, Func<ParseResult, RelayOptions> Read) Build()
    {
        var listen = TypedOption.Of("--listen", "-l", "ADDR:PORT where clients send (also :PORT or PORT)", OptionValues.Bind);
        listen.Required = true;
        var to = TypedOption.Of("--to", "-t", "HOST:PORT of the server behind the relay", OptionValues.Connect);
        to.Required = true;
        var percent = OptionValues.BothWays(OptionValues.Percent);
        var loss = TypedOption.Of("--loss", null, "Drop this percentage of datagrams (P, or C2S/S2C as 10/0)", percent);
        var duplicate = TypedOption.Of("--duplicate", null, "Duplicate this percentage", percent);
        var reorder = TypedOption.Of("--reorder", null, "Hold back this percentage behind the next datagram", percent);
        var corrupt = TypedOption.Of("--corrupt", null, "Flip bits in this percentage", percent);
        var delay = TypedOption.Of("--delay", null, "Delay MS[±JITTER] (also MS+-JITTER)", OptionValues.BothWays(OptionValues.Delay));
        var rate = TypedOption.Of("--rate", null, "Bottleneck in bytes per second, e.g. 10M", OptionValues.BothWays(OptionValues.RelayRate));
        var seed = TypedOption.Of("--seed", null, "Seed for repeatable impairment", OptionValues.Seed);
        var stats = TypedOption.Of("--stats", null, "Print counters every SECONDS", OptionValues.Interval);
        var idle = TypedOption.Of("--idle-timeout", null, "Forget a client after SECONDS of silence", OptionValues.Timeout, () => TimeSpan.FromMinutes(2));
        var command = new Command("relay", "Forward UDP between clients and one server while dropping, duplicating, reordering, corrupting, delaying or rate-limiting it")
        {
            listen, to, loss, duplicate, reorder, corrupt, delay, rate, seed, stats, idle,
        };
        RelayOptions Read(ParseResult result)
        {
            var server = result.GetValue(to)!;
            if (!server.TryResolve(out var address, out string error))
            {
                throw new UserError(ExitCodes.NetworkError, "udpx relay: --to " + error);
            }
            var (lost, duplicated, reordered, corrupted, delayed, paced) = (result.GetValue(loss), result.GetValue(duplicate), result.GetValue(reorder), result.GetValue(corrupt), result.GetValue(delay), result.GetValue(rate));
            return new RelayOptions
            {
                Listen = result.GetValue(listen)!,
                Server = new IPEndPoint(address, server.Port),
                ClientToServer = Impairment(lost.ClientToServer, duplicated.ClientToServer, reordered.ClientToServer, corrupted.ClientToServer, delayed.ClientToServer, paced.ClientToServer),
                ServerToClient = Impairment(lost.ServerToClient, duplicated.ServerToClient, reordered.ServerToClient, corrupted.ServerToClient, delayed.ServerToClient, paced.ServerToClient),
                Seed = result.GetValue(seed),
                StatsInterval = result.GetValue(stats),
                IdleTimeout = result.GetValue(idle),
            };
        }
        command.SetAction((result, cancellationToken) => RelayRunner.RunAsync(Read(result), Console.Out, cancellationToken));
        return (command, Read);
    }

    private static ImpairmentOptions Impairment(double loss, double duplicate, double reorder, double corrupt, DelayJitter delay, long rate) => new()
    {
        LossPercent = loss,
        DuplicatePercent = duplicate,
        ReorderPercent = reorder,
        CorruptPercent = corrupt,
        Delay = delay.Delay,
        Jitter = delay.Jitter,
        RateBytesPerSecond = rate,
    };
}
