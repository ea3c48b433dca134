using System.Net.Sockets;

namespace Udpx.Net;

/// <summary>
/// Linux UDP segmentation offload (GSO, UDP_SEGMENT) on send and receive coalescing (GRO, UDP_GRO):
/// one system call carries up to 64 datagrams. Where the kernel refuses, udpx stays with one
/// datagram per call for good.
/// </summary>
internal static class UdpOffload
{
    private const int SolUdp = 17;
    private const int UdpSegment = 103;
    private const int UdpGro = 104;

    /// <summary>The kernel's limit on segments in one send (UDP_MAX_SEGMENTS).</summary>
    public const int MaxSegments = 64;

    /// <summary>Largest buffer one segmented send or coalesced receive may carry.</summary>
    public const int MaxBatchBytes = 65507;

    /// <summary>Turns on send segmentation with <paramref name="segmentSize"/>-byte datagrams; false if unavailable.</summary>
    public static bool TryEnableSegmentation(Socket socket, int segmentSize)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("UDPX_NO_OFFLOAD") == "1" || segmentSize * 2 > MaxBatchBytes)
        {
            return false;
        }
        try
        {
            socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(segmentSize));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static void DisableSegmentation(Socket socket)
    {
        try
        {
            socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(0));
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Turns on receive coalescing; the caller must then split what it receives.</summary>
    public static bool TryEnableCoalescing(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("UDPX_NO_OFFLOAD") == "1")
        {
            return false;
        }
        try
        {
            socket.SetRawSocketOption(SolUdp, UdpGro, BitConverter.GetBytes(1));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>How many datagrams of <paramref name="datagramSize"/> bytes fit one segmented send.</summary>
    public static int SegmentsPerBatch(int datagramSize) => Math.Min(MaxSegments, MaxBatchBytes / datagramSize);
}
