using System.Net;

namespace Udpx.Relay;

/// <summary>
/// Everything <c>udpx relay</c> needs to run: where to listen, where the server is, and the
/// impairments of each direction. The command line (Cli/RelayVerb) builds it from typed option values.
/// </summary>
internal sealed record RelayOptions
{
    public const int DefaultMaxClients = 1024;

    /// <summary>Address and port the clients send to; port 0 picks a free port.</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>The one server every client's datagrams go to.</summary>
    public required IPEndPoint Server { get; init; }

    public ImpairmentOptions ClientToServer { get; init; } = ImpairmentOptions.None;

    public ImpairmentOptions ServerToClient { get; init; } = ImpairmentOptions.None;

    /// <summary>Seed of the impairment decisions; null picks one at random (and the relay reports it).</summary>
    public int? Seed { get; init; }

    /// <summary>How often to print counters while running; zero prints them only on exit.</summary>
    public TimeSpan StatsInterval
    {
        get;
        init => field = value >= TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), "--stats must be zero or more seconds");
    }

    /// <summary>A client silent in both directions for this long loses its upstream socket.</summary>
    public TimeSpan IdleTimeout
    {
        get;
        init => field = value > TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), "--idle-timeout must be more than zero seconds");
    } = TimeSpan.FromMinutes(2);

    /// <summary>Clients served at once; datagrams from further new clients are dropped and counted.</summary>
    public int MaxClients
    {
        get;
        init => field = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), "the client limit must be at least 1");
    } = DefaultMaxClients;
}
