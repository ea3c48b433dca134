namespace Udpx.Relay;

/// <summary>Exit codes of <c>udpx relay</c>, as documented in docs/relay.md.</summary>
internal static class RelayExitCode
{
    /// <summary>Stopped on request (Ctrl+C, SIGTERM, cancellation).</summary>
    public const int Ok = 0;

    /// <summary>A flag has a bad value, or a host name does not resolve.</summary>
    public const int Usage = 2;

    /// <summary>The listen socket could not be opened (port in use, address not on this machine, ...): the same code as every udpx network error.</summary>
    public const int Network = 4;
}
