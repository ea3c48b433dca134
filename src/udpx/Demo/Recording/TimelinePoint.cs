namespace Udpx.Demo.Recording;

/// <summary>A transfer at one moment of its run: seconds since the run started, throughput over the last interval, smoothed RTT, retransmissions so far.</summary>
internal readonly record struct TimelinePoint(double Seconds, double BytesPerSecond, double RttMillis, long Retransmitted);
