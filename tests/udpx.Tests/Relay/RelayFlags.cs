using Udpx.Cli;
using Udpx.Relay;

namespace Udpx.Tests.Relay;

/// <summary>Relay options built from the flags as `udpx relay` reads them (null: the flag not given).</summary>
internal static class RelayFlags
{
    public static RelayOptions Parse(
        string listen, string to, string? loss = null, string? duplicate = null, string? reorder = null, string? corrupt = null,
        string? delay = null, string? rate = null, string? seed = null, string? stats = null)
    {
        var args = new List<string> { "--listen", listen, "--to", to };
        Add(args, "--loss", loss);
        Add(args, "--duplicate", duplicate);
        Add(args, "--reorder", reorder);
        Add(args, "--corrupt", corrupt);
        Add(args, "--delay", delay);
        Add(args, "--rate", rate);
        Add(args, "--seed", seed);
        Add(args, "--stats", stats);
        return RelayVerb.Parse([.. args]);
    }

    /// <summary>The impairments of both directions that these flags give.</summary>
    public static (ImpairmentOptions ClientToServer, ImpairmentOptions ServerToClient) Directions(
        string? loss = null, string? duplicate = null, string? reorder = null, string? corrupt = null, string? delay = null, string? rate = null)
    {
        var options = Parse("127.0.0.1:0", "127.0.0.1:9", loss, duplicate, reorder, corrupt, delay, rate);
        return (options.ClientToServer, options.ServerToClient);
    }

    private static void Add(List<string> args, string flag, string? value)
    {
        if (value is not null)
        {
            args.Add(flag);
            args.Add(value);
        }
    }
}
