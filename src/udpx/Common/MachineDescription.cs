using System.Reflection;
using System.Runtime.InteropServices;

namespace Udpx.Common;

/// <summary>The machine and build a figure was measured on, for reports (bench, the demo's lab report).</summary>
internal sealed record MachineDescription(int Cores, string Os, string Runtime, bool NativeAot)
{
    public static MachineDescription Current() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        // The JIT build runs from udpx.dll; the native binary has no assembly files beside it.
        !File.Exists(Path.Combine(AppContext.BaseDirectory, "udpx.dll")));

    /// <summary>udpx's informational version; the SDK appends the git commit it was built from ("1.0.0+sha").</summary>
    public static string UdpxVersion() =>
        typeof(MachineDescription).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
