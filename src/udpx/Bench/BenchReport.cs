using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Udpx.Common;

namespace Udpx.Bench;

/// <summary>The document `udpx bench --json` prints: what ran, where, and every figure.</summary>
internal sealed record BenchReport(
    string Version,
    string CommandLine,
    MachineDescription Machine,
    IReadOnlyList<BenchPointResult> Points,
    IReadOnlyList<PeerResult> Peers,
    bool Ok)
{
    public static BenchReport From(BenchResults results, string commandLine) =>
        new(MachineDescription.UdpxVersion(), commandLine, MachineDescription.Current(), results.Points, results.Peers, results.Ok);
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
