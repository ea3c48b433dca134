namespace Udpx.Tests.Reliability;

/// <summary>
/// Random files of any size written and compared a block at a time, so a file of hundreds of MiB
/// never sits in memory whole.
/// </summary>
internal static class SeededFile
{
    private const int Block = 1 << 20;

    public static void Write(string path, long size, int seed)
    {
        var random = new Random(seed);
        byte[] buffer = new byte[(int)Math.Min(Block, Math.Max(size, 1))];
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (long done = 0; done < size;)
        {
            int n = (int)Math.Min(buffer.Length, size - done);
            random.NextBytes(buffer.AsSpan(0, n));
            stream.Write(buffer, 0, n);
            done += n;
        }
    }

    /// <summary>Null when both files exist with the same bytes; otherwise what differs.</summary>
    public static string? Difference(string expected, string actual)
    {
        if (!File.Exists(actual))
        {
            return "no file " + actual;
        }
        using var a = new FileStream(expected, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        using var b = new FileStream(actual, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        if (a.Length != b.Length)
        {
            return "size " + b.Length + " instead of " + a.Length;
        }
        byte[] x = new byte[Block];
        byte[] y = new byte[Block];
        for (long offset = 0; offset < a.Length;)
        {
            int n = (int)Math.Min(Block, a.Length - offset);
            a.ReadExactly(x, 0, n);
            b.ReadExactly(y, 0, n);
            int at = x.AsSpan(0, n).CommonPrefixLength(y.AsSpan(0, n));
            if (at < n)
            {
                return "first difference at byte " + (offset + at);
            }
            offset += n;
        }
        return null;
    }
}
