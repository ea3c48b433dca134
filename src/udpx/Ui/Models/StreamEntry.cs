using Udpx.Net;

namespace Udpx.Ui.Models;

/// <summary>A datagram the stream pane chose to show: the record, who it is from or for, and its time since the stream began.</summary>
internal readonly record struct StreamEntry(DatagramRecord Record, string Label, long Micros);
