namespace Udpx.Common.Charts;

/// <summary>One series of a chart: a name, a colour and a value per category or point (NaN: nothing drawn).</summary>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<double> Values);
