namespace Udpx.Common.Charts;

/// <summary>One line of a line chart: a name, a colour and its points in order of x.</summary>
internal sealed record LineSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points);
