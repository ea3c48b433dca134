using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Udpx.Bench;

/// <summary>The document `udpx bench --json` prints: what ran, where, and every figure.</summary>
internal sealed record BenchReport(
    string Version,
    string CommandLine,
    BenchMachine Machine,
    IReadOnlyList<BenchPointResult> Points,
    IReadOnlyList<PeerResult> Peers,
    bool Ok)
{
    public static BenchReport From(BenchResults results, string commandLine) =>
        new(UdpxVersion(), commandLine, BenchMachine.Current(), results.Points, results.Peers, results.Ok);

    /// <summary>The informational version; the SDK appends the git commit it was built from ("1.0.0+sha").</summary>
    public static string UdpxVersion() =>
        typeof(BenchReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}

internal sealed record BenchMachine(int Cores, string Os, string Runtime, bool NativeAot)
{
    public static BenchMachine Current() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        // The JIT build runs from udpx.dll; the native binary has no assembly files beside it.
        !File.Exists(Path.Combine(AppContext.BaseDirectory, "udpx.dll")));
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    WriteIndented = true)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJson : JsonSerializerContext
{
    /// <summary>As <see cref="JsonSerializerContext"/> Default, but '+' and '×' printed as they are, not as \u escapes.</summary>
    public static BenchJson Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
