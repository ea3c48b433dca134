using System.Globalization;
using Udpx.Common;

namespace Udpx.Demo.Report;

/// <summary>The machine the report was made on, beyond <see cref="MachineDescription"/>: host name, processor, memory, kernel.</summary>
internal sealed record HostFacts(MachineDescription Machine, string HostName, string Processor, string Memory, string Kernel)
{
    public static HostFacts Current() => new(
        MachineDescription.Current(),
        Environment.MachineName,
        FirstValue("/proc/cpuinfo", "model name") ?? "unknown",
        FirstValue("/proc/meminfo", "MemTotal") is { } kib && long.TryParse(kib.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long k) ? Format.Bytes(k * 1024.0) : "unknown",
        ReadTrimmed("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString);

    private static string? FirstValue(string path, string key)
    {
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line[..colon].Trim() == key)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
