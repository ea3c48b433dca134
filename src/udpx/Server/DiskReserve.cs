namespace Udpx.Server;

/// <summary>
/// Free space to leave on the output filesystem (--min-free): a size, a percentage of the filesystem,
/// or by default the smaller of 1 GB and 5%, so that a small disk (a 64 MB tmpfs) is still usable.
/// </summary>
internal readonly record struct DiskReserve(long Bytes, double? Percent)
{
    public static readonly DiskReserve Default = new(1_000_000_000, 5);

    public static readonly DiskReserve None = new(0, null);

    public static DiskReserve OfBytes(long bytes) => new(bytes, null);

    public static DiskReserve OfPercent(double percent) => new(long.MaxValue, percent);

    /// <summary>The bytes to keep free on a filesystem of <paramref name="totalBytes"/>.</summary>
    public long For(long totalBytes) =>
        Percent is { } percent ? Math.Min(Bytes, (long)(totalBytes * (percent / 100))) : Bytes;

    public override string ToString() => Percent is { } p
        ? (Bytes == long.MaxValue ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) + "%" : "the smaller of " + Bytes + " bytes and " + p.ToString(System.Globalization.CultureInfo.InvariantCulture) + "%")
        : Bytes + " bytes";
}
