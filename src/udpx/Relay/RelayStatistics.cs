namespace Udpx.Relay;

/// <summary>A snapshot of the relay's counters, taken by <see cref="UdpRelay.GetStatistics"/>.</summary>
/// <param name="ClientToServer">Datagrams from clients toward the server.</param>
/// <param name="ServerToClient">Replies from the server toward clients.</param>
/// <param name="Clients">Clients with an upstream socket now.</param>
/// <param name="RejectedDatagrams">Datagrams dropped because they came from a new client past the client limit.</param>
/// <param name="Queued">Datagrams waiting in the delay queue now.</param>
internal readonly record struct RelayStatistics(
    DirectionStatistics ClientToServer,
    DirectionStatistics ServerToClient,
    int Clients,
    long RejectedDatagrams,
    int Queued);
