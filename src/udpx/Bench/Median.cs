namespace Udpx.Bench;

/// <summary>The middle of a set of measurements: robust against the one run a neighbour's build slowed down.</summary>
internal static class Median
{
    /// <summary>The middle value; the mean of the two middle values for an even count; NaN for none.</summary>
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static double Of<T>(IEnumerable<T> items, Func<T, double> selector) => Of(items.Select(selector));
}
