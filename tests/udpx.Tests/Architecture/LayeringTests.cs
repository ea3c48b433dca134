using Udpx.Common;

namespace Udpx.Tests.Architecture;

/// <summary>
/// The folders of src/udpx are layers, and dependencies point one way (README, "Layout"). This reads the
/// compiled udpx assembly and fails on any arrow the table below does not allow, naming the type and the arrow.
/// </summary>
public sealed class LayeringTests
{
    private const string Product = "Udpx";

    /// <summary>
    /// Each layer (the namespace under Udpx, sub-namespaces included) and the layers it may use. Common is the
    /// bottom; Cli is the top and nothing uses it; only Cli uses Ui. Program.cs (top-level statements, in the
    /// global namespace) is the entry point and is not checked. A new folder needs a row here to pass.
    /// </summary>
    private static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Common"] = [],
        ["Protocol"] = ["Common"],
        ["Net"] = ["Common"],
        ["Engine"] = ["Net", "Protocol", "Common"],
        ["Tftp"] = ["Engine", "Net", "Protocol", "Common"],
        ["Server"] = ["Tftp", "Engine", "Net", "Protocol", "Common"],
        ["Modes"] = ["Tftp", "Engine", "Net", "Protocol", "Common"],
        ["Client"] = ["Modes", "Tftp", "Engine", "Net", "Protocol", "Common"],
        ["InMemory"] = ["Server", "Engine", "Net", "Protocol", "Common"],
        ["Relay"] = ["Common"],
        ["Ui"] = ["InMemory", "Client", "Modes", "Server", "Tftp", "Engine", "Net", "Protocol", "Common"],
        ["Demo"] = ["Client", "Modes", "Server", "Relay", "Engine", "Net", "Protocol", "Common"],
        ["Bench"] = ["Client", "Modes", "Server", "Tftp", "Engine", "Net", "Protocol", "Common"],
        ["Cli"] = ["Bench", "Demo", "Ui", "Relay", "Client", "Modes", "Server", "Tftp", "Engine", "Net", "Protocol", "Common"],
    };

    private static readonly Lazy<IReadOnlyList<TypeDependency>> Dependencies =
        new(() => TypeDependencies.Of(typeof(ExitCodes).Assembly.Location));

    [Fact]
    public void Every_dependency_between_layers_points_the_documented_way()
    {
        var wrong = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var d in Dependencies.Value)
        {
            if (LayerOf(d.FromNamespace) is not { } from || LayerOf(d.ToNamespace) is not { } to || from == to)
            {
                continue;
            }
            if (MayUse.TryGetValue(from, out string[]? allowed) && !allowed.Contains(to))
            {
                wrong.Add($"{d.From} -> {d.ToNamespace} ({Simple(d.To)}): {from} may not depend on {to}");
            }
        }

        Assert.True(wrong.Count == 0, "dependencies against the layering (README, \"Layout\"):\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void Every_layer_of_the_assembly_has_a_row_in_the_table()
    {
        var layers = Dependencies.Value
            .SelectMany(d => new[] { LayerOf(d.FromNamespace), LayerOf(d.ToNamespace) })
            .OfType<string>()
            .Distinct()
            .Where(l => !MayUse.ContainsKey(l))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(layers.Count == 0, "namespaces under Udpx with no row in LayeringTests.MayUse: " + string.Join(", ", layers));
    }

    [Fact]
    public void The_bottom_layer_uses_no_other_layer()
    {
        Assert.Empty(MayUse["Common"]);
        Assert.DoesNotContain(MayUse, row => row.Value.Contains("Cli"));
        Assert.DoesNotContain(MayUse, row => row.Key != "Cli" && row.Value.Contains("Ui"));
    }

    /// <summary>
    /// "Udpx.Bench.Peers" is in layer Bench and a type in "Udpx" itself in a layer of that name (which has no row);
    /// the global namespace (Program, compiler-made types) and other libraries are in none.
    /// </summary>
    private static string? LayerOf(string ns)
    {
        if (ns == Product)
        {
            return Product;
        }
        if (!ns.StartsWith(Product + ".", StringComparison.Ordinal))
        {
            return null;
        }
        string rest = ns[(Product.Length + 1)..];
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static string Simple(string fullName) => fullName[(fullName.LastIndexOf('.') + 1)..];
}
