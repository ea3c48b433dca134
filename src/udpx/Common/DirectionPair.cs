namespace Udpx.Common;

/// <summary>
/// One value for both directions of a path, or two separated by '/': client→server first, then server→client
/// (<c>--loss 10/0</c>). A "/s" ends the rate before it ("10MB/s/5MB/s"), it is not a second direction.
/// </summary>
internal readonly record struct DirectionPair<T>(T ClientToServer, T ServerToClient)
{
    public static bool TryParse(string text, ValueParser<T> parse, out DirectionPair<T> pair, out string error)
    {
        pair = default;
        var values = new List<string>(2);
        foreach (string part in text.Split('/'))
        {
            if (values.Count > 0 && part.Trim().Equals("s", StringComparison.OrdinalIgnoreCase))
            {
                values[^1] += "/s";
                continue;
            }
            values.Add(part);
        }
        if (values.Count > 2)
        {
            error = "takes one value for both directions or two as CLIENT-TO-SERVER/SERVER-TO-CLIENT, got '" + text + "'";
            return false;
        }
        if (!parse(values[0], out var first, out error))
        {
            return false;
        }
        var second = first;
        if (values.Count == 2 && !parse(values[1], out second, out error))
        {
            return false;
        }
        pair = new DirectionPair<T>(first, second);
        return true;
    }
}
