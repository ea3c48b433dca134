using System.CommandLine;
using Udpx.Common;
using Udpx.Relay;

namespace Udpx.Cli;

/// <summary>`udpx relay`: the user-space impairment proxy (see docs/relay.md).</summary>
internal static class RelayVerb
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen", "-l") { Description = "ADDR:PORT where clients send", Required = true };
        var to = new Option<string>("--to", "-t") { Description = "HOST:PORT of the server behind the relay", Required = true };
        var loss = new Option<string>("--loss") { Description = "Drop this percentage of datagrams (P, or C2S/S2C as 10/0)" };
        var duplicate = new Option<string>("--duplicate") { Description = "Duplicate this percentage" };
        var reorder = new Option<string>("--reorder") { Description = "Hold back this percentage behind the next datagram" };
        var corrupt = new Option<string>("--corrupt") { Description = "Flip bits in this percentage" };
        var delay = new Option<string>("--delay") { Description = "Delay MS[±JITTER] (also MS+-JITTER)" };
        var rate = new Option<string>("--rate") { Description = "Bottleneck in bytes per second, e.g. 10M" };
        var seed = new Option<string>("--seed") { Description = "Seed for repeatable impairment" };
        var stats = new Option<string>("--stats") { Description = "Print counters every SECONDS" };
        var idle = new Option<string>("--idle-timeout") { Description = "Forget a client after SECONDS of silence" };
        var command = new Command("relay", "Forward UDP between clients and one server while dropping, duplicating, reordering, corrupting, delaying or rate-limiting it")
        {
            listen, to, loss, duplicate, reorder, corrupt, delay, rate, seed, stats, idle,
        };
        command.SetAction((result, cancellationToken) =>
        {
            RelayOptions options;
            try
            {
                options = RelayOptions.Parse(
                    result.GetValue(listen), result.GetValue(to), result.GetValue(loss), result.GetValue(duplicate),
                    result.GetValue(reorder), result.GetValue(corrupt), result.GetValue(delay), result.GetValue(rate),
                    result.GetValue(seed), result.GetValue(stats), result.GetValue(idle));
            }
            catch (RelayOptionsException ex)
            {
                throw new UserError(ExitCodes.Usage, ex.Message);
            }
            return RelayRunner.RunAsync(options, Console.Out, cancellationToken);
        });
        return command;
    }
}
