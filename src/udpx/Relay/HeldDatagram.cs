namespace Udpx.Relay;

/// <summary>A datagram held back for reordering; the buffer is rented and owned by whoever holds this.</summary>
internal readonly record struct HeldDatagram(byte[] Buffer, int Length, int Copies, long Departure);
