namespace Udpx.Engine;

/// <summary>How a path's controller treats other traffic.</summary>
internal enum CongestionMode
{
    /// <summary>Fast, and no more aggressive than TCP where it shares a bottleneck.</summary>
    Normal,

    /// <summary>A scavenger after LEDBAT (RFC 6817, --background): it yields to every other flow.</summary>
    Background,
}
